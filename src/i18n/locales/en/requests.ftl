# Pending formal requests and their follow-up nudges (src/requests).

requests-status-sent = sent, no news yet
requests-status-acknowledged = received
requests-status-in_progress = in progress
requests-status-more_info_needed = more information needed
requests-status-executed = executed
requests-status-refused = refused
requests-status-withdrawn = withdrawn

requests-nudge =
    Follow-up on a formal { $type } request from { $fromCountry }.
    Their reference: { $ourReference }
    Subject: { $subject }
    Sent on { $sentDate } by { $requesterName }. Status so far: { $status }.
    Where does it stand? One tap is enough.
requests-nudge-urgent = URGENT REQUEST
requests-nudge-deputy = You receive this as the deputy of { $contactName }, who is out of office.
requests-nudge-their-reference = Your reference: { $theirReference }

requests-button-ack = Received
requests-button-prog = In progress
requests-button-info = Need more information
requests-button-done = Executed
requests-button-ref = Refused
requests-button-nm = Not mine

requests-escalation =
    No answer after { $count } follow-ups: the { $type } request { $ourReference } from { $fromCountry } to { $contactName } ({ $authority }), sent on { $sentDate }.
    Subject: { $subject }
    As coordinator for { $toCountry }, could you help it along? You may answer for them below.

requests-notice-answer = { $contactName } ({ $toCountry }) answered on your request { $ourReference }: { $status }.
requests-notice-closed-by-requester = Request { $ourReference } ({ $type }) from { $fromCountry } was closed by the requester: { $status }. No more reminders will come about it.
requests-notice-reassigned = { $contactName } says your request { $ourReference } is handled by a colleague, { $newContactName }. Follow-ups now go to them.
requests-notice-handover = { $contactName } no longer handles requests for { $toCountry }: your request { $ourReference } now goes to their successor, { $newContactName }. Follow-ups continue on the same schedule.
requests-notice-handover-nobody = { $contactName } no longer handles requests for { $toCountry }, and no successor is registered for your request { $ourReference }: follow-ups now go to the coordinator for { $toCountry }.
requests-notice-not-mine-nobody = { $contactName } says your request { $ourReference } is not theirs, and no colleague of their authority is registered. The coordinator for { $toCountry } may help.
requests-notice-undeliverable = The follow-up on your request { $ourReference } to { $toCountry } could not be delivered: { $reason }. You may want to reach them another way.
requests-notice-escalated = No answer after { $count } follow-ups on your request { $ourReference }: the coordinator for { $toCountry } has been told.
requests-notice-escalation-nobody = No answer after { $count } follow-ups on your request { $ourReference }, and no coordinator for { $toCountry } can be reached through Counterpart.

requests-reason-no_contact = no contact point is registered for it
requests-reason-no_member = the contact point has no Counterpart account
requests-reason-no_messenger = the contact point has not linked a messenger
requests-reason-failed = their messenger refused the message

requests-answer-thanks = Thank you. Request { $ourReference } is now: { $status }. The requester has been told.
requests-answer-stale = This button is out of date.
requests-answer-not-yours = This request is not addressed to you.
requests-answer-closed = Request { $ourReference } is already closed ({ $status }).
requests-pick-colleague = Who handles request { $ourReference } at { $authority }? Pick a colleague:
requests-no-colleague = No colleague of your authority is registered. The requester has been told; your coordinator may help.
requests-reassigned = Thank you. Request { $ourReference } now goes to { $contactName }.

requests-command-list-help = Your formal requests with their status and age
requests-command-new-help = Register a formal request you sent, so it is followed up
requests-argument-reference-subject = REFERENCE SUBJECT

requests-list-heading = Your requests:
requests-list-addressed-heading = Addressed to you:
requests-list-item = { $ourReference } · { $type } → { $toCountry } · { $status } · { $ageDays ->
        [one] { $ageDays } day
       *[other] { $ageDays } days
    }
requests-list-empty = You have no registered requests.
requests-list-more = …and { $count } more (see the web console).
requests-button-new = Register a request
requests-list-item-overdue = ⚠ { requests-list-item }
requests-list-outgoing-heading = Sent from { $country }:
requests-list-incoming-heading = Sent to { $country }:
requests-list-country-empty = No requests sent from or to { $country } are registered.
requests-card = Request { $ourReference } ({ $type }) to { $toCountry }, sent on { $sentDate }; addressed to { $contactName }. Status: { $status }.
requests-button-withdraw = Withdraw
requests-button-their-reference = Add their reference
requests-steer-status = Request { $ourReference }: { $status }.
requests-steer-closed = Request { $ourReference } is closed: { $status }. Its reminders have stopped and the addressee has been told.
requests-steer-refused = This request cannot be changed from here (it may have been closed, or it is not yours).
requests-their-reference-title = adding their reference
requests-their-reference-expired = The time to add their reference has run out. Open the request again with { $prefix }requests.
requests-their-reference-ask = Request { $ourReference }: type the reference the requested country gave it.
requests-their-reference-placeholder = their reference, e.g. 2026/1187-MLA
requests-their-reference-too-long = Their reference must be 1 to { $reference } characters.
requests-their-reference-saved = Request { $ourReference }: their reference is { $theirReference }.

requests-new-prompt = Send { $prefix }newrequest, then your reference and a short, non-sensitive subject. For example: { $prefix }newrequest 12/345-2026 Extradition of a fraud suspect
requests-new-choose-type = Request { $ourReference }: what kind of request is it?
requests-new-choose-from = Request { $ourReference }: from which country was it sent? (You belong to no country.)
requests-new-choose-country = Request { $ourReference }: to which country was it sent?
requests-new-choose-sent = Request { $ourReference }: when was it sent?
requests-new-choose-urgent = Request { $ourReference }: is it urgent?
requests-new-sent-0 = Today
requests-new-sent-1 = Yesterday
requests-new-sent-7 = A week ago
requests-new-sent-30 = A month ago
requests-new-sent-90 = Three months ago
requests-yes = Yes
requests-no = No
requests-new-cancelled = Registration cancelled.
requests-new-expired = This registration has expired. Start again with { $prefix }newrequest.
requests-new-too-long = The reference may have at most { $reference } characters and the subject at most { $subject }. Keep the subject short and non-sensitive.
requests-new-done = Registered: { $ourReference } ({ $type }) to { $toCountry }, sent on { $sentDate }.
requests-new-contact = Follow-ups go to { $contactName }, { $authority }. The first one: { $nextNudge }.
requests-new-no-contact = No contact point for this is registered in { $toCountry }, so it cannot be followed up yet.
requests-new-ask-reference = Request to { $toCountry }: type your reference (the number on the request you sent).
requests-new-ask-subject = Reference { $ourReference }: now type a short, non-sensitive subject (it is shown to the counterpart).
requests-new-title = the request registration
requests-new-choose-type-unnamed = What kind of request is it?
requests-new-choose-from-unnamed = From which country was the request sent? (You belong to no country.)
requests-new-choose-country-unnamed = To which country was the request sent?
requests-new-choose-sent-unnamed = When was the request sent?
requests-new-choose-urgent-unnamed = Is the request urgent?
requests-new-sent-placeholder = or type the date, e.g. 01.03.2026
requests-new-sent-future = That date is still ahead; a request can only be registered once it has been sent.
requests-new-sent-too-old = That date is too far in the past.
requests-new-reference-placeholder = your reference, e.g. 12/345-2026
requests-new-subject-placeholder = a short, non-sensitive subject
requests-new-use-as-subject = Use it as the subject
