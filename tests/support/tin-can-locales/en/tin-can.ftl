messenger-name-tincan = Tin can
