# Strings shared by several modules.
error-generic = Something went wrong on our side. Please try again in a moment.
error-busy = The service is catching up with its records and cannot take this right now. Please try again in a minute.
error-rate-limited = You are sending messages too quickly. Please wait a moment.
# Where a member's country is shown for an admin who belongs to none.
no-country-secretariat = Network secretariat (no country)
