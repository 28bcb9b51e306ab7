# Keeping the registry true: handover, proposals, re-verification, absence, digest.

truth-deputy-retired = { $name } has retired. These records still name them as deputy: { $records }. Please choose a new deputy for each.
