# Answers to "who handles what, where" (src/ask). Plain text; adapters add markup.

ask-help =
    I find the right counterpart in the network's registry. Ask in plain words, in English or Russian, for example:
    • who handles extradition in Kyrgyzstan
    • MLA Tashkent
    • asset recovery contacts in Armenia and Georgia
ask-which-country = Which country do you need a { $competence } contact in? Name it, or choose below.
ask-which-country-any = Which country do you need a contact in? Name it, or choose below.
ask-not-in-registry = { $country } is not covered by this network's registry, so I have no verified contact there.
ask-heading = { $competence } — { $country }
ask-heading-all = Contacts — { $country }
ask-group-heading = { $competence }:
ask-no-contacts = No active contact for { $competence } in { $country } is registered yet.
ask-no-contacts-all = No active contact in { $country } is registered yet.
ask-more-contacts = …and { $count } more.
ask-show-all = Show all { $count }
ask-show-all-country = Show all { $count } — { $country }
ask-cut-short = The answer was too long for one message; ask about fewer countries or one competence.
ask-more-countries = I answered for the first { $count } countries; ask again for the others.

ask-contact = { $position }. { $name } — { $title }
ask-contact-languages = Languages: { $languages }
ask-contact-time = Local time { $time } ({ $inside ->
        [yes] working hours
       *[no] outside working hours
    })
ask-contact-verified = verified { $date }
ask-contact-stale = verified { $date }, possibly out of date
ask-contact-away = Away until { $until }
ask-contact-away-note = Away until { $until } ({ $note })
ask-see-above = (see above)
ask-contact-deputy = deputy: { $deputy }

ask-central-authority = Central authority: { $authority }
ask-central-authority-stages = Central authority ({ $stages }): { $authority }
ask-request-languages = Requests in: { $languages }
ask-accepted-channels = Accepted: { $channels }
ask-urgent = Urgent requests: { $procedure }
ask-urgent-heading = Urgent requests:
ask-legal-bases = Legal bases: { $treaties }
ask-legal-bases-none = No treaty in the registry links { $asker } and { $country } for this.
ask-legal-bases-none-any = No treaty in the registry covers this for { $country }.

ask-requirements-heading = Requirements for { $competence } requests to { $country }
ask-requirements-none = No central authority for { $competence } is registered for { $country }.
ask-stale-action = This button is out of date. Please ask again.

ask-button-consult = Ask for a consultation
ask-button-consult-country = Consultation: { $country }
ask-button-requirements = Show requirements
ask-button-requirements-country = Requirements: { $country }
ask-button-contacts = Show contacts
ask-button-contacts-country = Contacts: { $country }

ask-stage-pre_trial = pre-trial
ask-stage-trial = trial
ask-stage-enforcement = enforcement

ask-channel-telegram = Telegram
ask-channel-matrix = Matrix
ask-channel-email = E-mail
ask-channel-phone = Phone
ask-channel-fax = Fax

ask-accepted-post = post
ask-accepted-diplomatic = diplomatic channels
ask-accepted-email_advance_copy = advance copy by e-mail
ask-accepted-email = e-mail
ask-accepted-fax = fax
ask-accepted-interpol = Interpol

# Requirement sheets and tips (src/ask/practical-answers.ts).
ask-sheet-general = (The country's general requirements: it has no sheet for { $competence } alone.)
ask-sheet-languages = Languages: { $languages }
ask-sheet-languages-certified = Languages: { $languages }; a translation must be certified
ask-sheet-legal-bases-between = Legal bases between { $asker } and { $country }: { $treaties }
ask-sheet-elements = A request must contain { $required ->
        [one] one element
       *[other] { $required } elements
    } (Show all lists them).
ask-sheet-elements-optional = A request must contain { $required ->
        [one] one element
       *[other] { $required } elements
    }, and { $optional } more where they apply (Show all lists them).
ask-sheet-urgent = Urgent: { $route }
ask-sheet-verified = Verified { $date }
ask-sheet-stale = Verified { $date }, possibly out of date: confirm with the central authority
ask-sheet-demo = demo data, not an official sheet
ask-sheet-tip = Tip: { $title }
ask-sheet-must-contain = What the request must contain:
ask-sheet-where-applies = Where they apply:
ask-sheet-documents = Documents to enclose:
ask-sheet-return-reasons = Why requests come back:
ask-sheet-retention = Retention: { $retention }
ask-sheet-notes = Note: { $notes }
ask-button-show-all = Show all
ask-button-show-all-country = All: { $country }
ask-button-draft = Start a draft
ask-button-draft-country = Draft: { $country }
ask-button-tip = Tip: { $title }
ask-button-more-tips = More tips: { $topic }
ask-tips-heading = The network's tips on { $topic }:
ask-tips-open = Choose one to read it.
ask-tips-none = There are no tips on { $topic } yet.
ask-tips-topics = The network's tips cover these topics; choose one.
ask-tip-sources = Sources:
ask-tip-verified = Checked { $date } · practical notes written from public sources, not legal advice.
