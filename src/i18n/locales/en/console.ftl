# The stewardship console (src/console): coordinators and the network secretariat in the browser.
console-title = Counterpart stewardship
console-skip-to-content = Skip to content
console-nav-label = Sections
console-nav-chat = Chat
console-nav-registry = Registry
console-nav-members = Members
console-nav-requests = Requests
console-nav-consultations = Consultations
console-nav-analytics = Analytics
console-nav-audit = Audit
console-language-label = Language
console-signed-in-as = { $name } · { $role } · { $country }
console-logout = Log out
console-role-admin = network secretariat
console-role-coordinator = national coordinator
console-role-member = member

console-title-not-found = Not found
console-title-refused = Not allowed
console-back-to-registry = Back to the registry
console-error-forbidden = You may not open or change this: it belongs to another country, or needs another role.
console-error-not_found = This record does not exist (any more).
console-error-unauthorized = Your session has ended. Please log in again.
console-error-conflict = This cannot be done now: something still depends on it.
console-error-validation_failed = Some values are not valid.
console-error-bad_request = The request was not understood.
console-error-rate_limited = Too many requests. Please wait a moment.
console-error-internal = Something went wrong. Please try again in a moment.
console-error-network = The server could not be reached. Check your connection and try again.

console-nothing-found = Nothing matches.
console-sorted-ascending = sorted ascending
console-sorted-descending = sorted descending
console-pages-label = Pages
console-page-previous = Previous page
console-page-next = Next page
console-page-of = Page { $page } of { $pages }
console-required = required
console-since = since { $date }

# Registry
console-registry-title = Registry
console-registry-tools = Registry tools
console-registry-treaties = Treaties
console-registry-import = Import a registry file
console-registry-export = Download the registry (JSON)
console-registry-filters = Find contacts
console-registry-caption = Contact points
console-registry-count = { $count ->
    [one] { $count } contact
   *[other] { $count } contacts
}
console-filter-search = Name
console-filter-search-hint = In Latin or Cyrillic letters: "Bakyt" finds "Бакыт".
console-filter-country = Country
console-filter-competence = Competence
console-filter-status = Status
console-filter-any = Any
console-filter-only = Only contacts that are
console-filter-stale = stale (verified over 12 months ago)
console-filter-away = away now
console-filter-unreachable = unreachable (last message failed)
console-filter-unlinked = without a linked account
console-filter-apply = Apply
console-filter-clear = Clear filters
console-col-name = Name
console-col-country = Country
console-col-authority = Authority
console-col-competences = Competences
console-col-status = Status
console-col-verified = Verified
console-col-reach = Reachable
console-status-all = All
console-status-active = Active
console-status-retired = Retired
console-status-suspended = Suspended
console-badge-stale = stale
console-badge-fresh = fresh
console-badge-away-until = away until { $date }
console-badge-linked = linked
console-badge-unlinked = no linked account
console-badge-unreachable = unreachable

# A contact
console-contact-summary = Record
console-contact-id = Record id
console-contact-verification = Verification
console-verified-on = Last verified on { $date }.
console-verified-on-by = Last verified on { $date } by { $name }.
console-verify-now = Mark as verified today
console-verify-hint = Verify after confirming the details with the person or their office.
console-verified-now = Verified today ({ $date }).
console-verification-state = Re-verification
console-verification-fresh = up to date
console-verification-prompted = prompt sent
console-verification-overdue = overdue
console-verification-unreachable = unreachable
console-verification-proposal_pending = proposal waiting
console-reverify-send = Send a re-verification prompt
console-reverify-sent = The re-verification prompt was sent.
console-contact-proposals = Proposed changes
console-proposals-none = No proposals are waiting.
console-proposal-line = Proposes new { $fields } ({ $date })
console-proposal-approve = Approve
console-proposal-reject = Reject
console-proposal-approved = The proposal was approved and applied.
console-proposal-rejected = The proposal was rejected.
console-contact-people = Person behind the record
console-contact-no-member = Nobody has linked a messenger for this contact, so consultations and nudges cannot reach them.
console-contact-invite-person = Invite the person
console-contact-edit = Edit
console-contact-retire = Retire and hand over
console-field-successor = Successor
console-field-successor-hint = Open consultations and pending requests move to the successor.
console-field-successor-none = Nobody yet (the coordinator takes the work)
console-retire = Retire this contact
console-retired = The contact was retired and their work handed over.
console-contact-history = History
console-contact-full-history = The whole history in the audit log
console-nothing-changed = Nothing was changed.
console-saved = Saved ({ $fields ->
    [one] { $fields } field changed
   *[other] { $fields } fields changed
}).
console-save = Save changes

console-form-identity = Identity and role
console-form-reach = Languages and channels
console-form-hours = Working hours
console-form-absence = Absence
console-form-absence-hint = While the contact is away, answers name the deputy and consultations and nudges go to the deputy.
console-field-name-en = Name (English)
console-field-name-ru = Name (Russian)
console-field-title = Title
console-field-authority = Authority
console-field-status = Status
console-field-competences = Competences
console-field-languages = Languages
console-field-languages-hint = ISO 639 codes separated by commas, e.g. "ky, ru, en".
console-field-channel-new-kind = Another channel: kind
console-field-channel-new-kind-hint = For example fax or web.
console-field-channel-new-value = Another channel: value
console-field-channels-hint = In order of preference. Leave a value empty to remove that channel.
console-field-days = Working days
console-field-hours-start = Starts at
console-field-hours-end = Ends at
console-field-hours-hint = Local time in { $country }.
console-field-away-start = Away from
console-field-away-end = Away until (last day)
console-field-away-note = Note (e.g. annual leave)
console-field-deputy = Deputy
console-field-deputy-hint = A colleague who stands in while this contact is away.
console-field-deputy-none = No deputy
console-channel-phone = Phone
console-channel-email = E-mail
console-channel-telegram = Telegram
console-channel-matrix = Matrix
console-channel-fax = Fax
console-platform-web = web console
console-platform-telegram = Telegram
console-platform-matrix = Matrix

console-error-summary = { $count ->
    [one] There is a problem
   *[other] There are { $count } problems
}
console-error-required = Enter a value.
console-error-choose = Choose one of the options.
console-error-competences = Choose at least one competence.
console-error-language = "{ $code }" is not a language code (use ISO 639, e.g. "ru").
console-error-channel-phone = Enter the phone number in international format, e.g. +996 312 66 22 11.
console-error-channel-email = Enter an e-mail address, e.g. name@agency.example.org.
console-error-channel-telegram = Enter a Telegram username of 4 to 32 letters, digits or "_", e.g. @name.
console-error-channel-matrix = Enter a Matrix user id, e.g. @name:matrix.example.org.
console-error-channel-kind = Use lowercase letters, digits and "_" for the kind, e.g. fax.
console-error-days = Choose at least one working day.
console-error-time = Enter a time as HH:MM, e.g. 09:00.
console-error-end-after-start = The end must be later than the start.
console-error-date = Enter a date.
console-error-until-after-from = The last day must not be before the first.

console-actor-system = the system
console-actor-cli = command line
console-action-contact-update = changed
console-action-contact-verify = verified
console-action-contact-create = created
console-action-contact-delete = removed
console-action-registry-read = looked up
console-action-registry-import = registry imported
