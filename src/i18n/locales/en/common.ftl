# Strings shared by several modules.
error-generic = Something went wrong on our side. Please try again in a moment.
error-rate-limited = You are sending messages too quickly. Please wait a moment.
