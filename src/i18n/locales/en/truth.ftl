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
