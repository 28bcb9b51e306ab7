# Keeping the registry true: handover, proposals, re-verification, absence, digest.

truth-deputy-retired = { $name } has retired. These records still name them as deputy: { $records }. Please choose a new deputy for each.

truth-proposal-new =
    { $name } proposes a change to their registry record ({ $fields }):
    { $changes }
    Approve it if it is right; the record changes only then.
truth-proposal-retire-new = { $name } says they no longer handle this work. Approving retires the record and hands their open consultations and requests over.
truth-button-approve = Approve
truth-button-reject = Reject
truth-proposal-approved = Your proposed change ({ $fields }) was approved: the registry now shows it.
truth-proposal-rejected = Your proposed change ({ $fields }) was not approved. Your coordinator can tell you why.
truth-proposal-you-approved = Approved ({ $fields }). The record is updated.
truth-proposal-you-rejected = Rejected ({ $fields }). The proposer is told.
truth-proposal-not-yours = You cannot decide this proposal: only a coordinator of that country who did not propose it can.
truth-proposal-decided = This proposal was already decided.
truth-proposal-gone = This proposal no longer exists.

truth-prompt = Please check your entry in the network's registry (last verified { $verifiedAt }). Colleagues abroad find you through it.
truth-prompt-reminder = A reminder: your entry in the network's registry still waits for your check (last verified { $verifiedAt }).
truth-prompt-question = Is everything still correct?
truth-record-competences = Handles: { $competences }
truth-record-languages = Languages: { $languages }
truth-record-hours = Working hours: days { $days }, { $start }–{ $end }
truth-button-correct = All correct
truth-button-changed = Something changed
truth-button-away = I am away
truth-button-gone = I no longer handle this
truth-confirmed = Thank you: your entry is confirmed as of today.
truth-not-your-record = This button is for the person the entry describes.
truth-not-a-contact = This is for contact points of the registry, and your account is not linked to one. Your coordinator can link it.
truth-refused = That did not work:
truth-flow-gone = This question has expired. Use { $prefix }away, or answer the latest prompt.
truth-change-title = updating your entry
truth-change-which = What changed?
truth-change-field-phone = Phone
truth-change-field-email = E-mail
truth-change-field-title = Job title
truth-change-value = The new value ({ $field }):
truth-change-value-placeholder = the new value
truth-change-invalid = That does not look right for this field. Please type it again.
truth-change-sent = Thank you. Your coordinator confirms the change before the registry shows it; I will tell you when they do.
truth-gone-title = handing over your work
truth-gone-successor = Who takes over from you? Your coordinator confirms it before anything moves.
truth-gone-unknown = I don't know
truth-gone-sent = Thank you. Your coordinator will confirm it; then your open consultations and requests move on.
truth-away-title = recording an absence
truth-away-until = Until when are you away? (the last day)
truth-away-until-placeholder = a date, e.g. 2026-12-24
truth-away-days-1 = Today only
truth-away-days-7 = A week
truth-away-days-14 = Two weeks
truth-away-past = That day has already passed. Until when are you away?
truth-away-deputy = Who stands in for you meanwhile?
truth-away-no-deputy = Nobody
truth-away-done = Recorded: you are away until { $until }. Questions and requests go to your deputy meanwhile. Type { $prefix }imback when you are back earlier.
truth-imback-done = Welcome back: questions and requests come to you again.
truth-imback-not-away = You are not recorded as away.
truth-command-away = record an absence (until when, who stands in)
truth-command-imback = end your absence now
truth-command-stale = your country's entries that need attention
truth-flag-overdue = { $name } ({ $id }) has not re-confirmed their entry (last verified { $verifiedAt }) after the reminders. You can verify it for them, send the prompt again, or contact them.
truth-flag-unlinked = { $name } ({ $id }) is due for re-verification (last verified { $verifiedAt }) but has no linked messenger. You can verify it for them or invite them.
truth-stale-none = Every entry of your country is up to date.
truth-stale-title = { $count } entries need attention:
truth-stale-line = • { $name } ({ $id }): { $state }, last verified { $verifiedAt }
truth-state-fresh = up to date
truth-state-prompted = asked, no answer yet
truth-state-overdue = overdue
truth-state-unreachable = unreachable
truth-state-proposal_pending = a change waits for your approval
