# Matrix bot chrome (the conversation itself comes from chat.ftl and the modules' files).
# Its name as people read it (src/chat/messenger-names.ts asks for messenger-name-<platform>).
messenger-name-matrix = Matrix
matrix-choices-hint = Answer with a number from 1 to { $count }, or react with it.
matrix-welcome-member = Hello, { $name }! Ask me who handles what, for example "who handles extradition in Kyrgyzstan". Send !help for the list of commands.
matrix-welcome-unknown = Hello! I answer members of the network only. If your national coordinator gave you an invite code, send it here as: !link CODE. Otherwise, please ask your coordinator for an invite.
matrix-unencrypted-room = This chat is not end-to-end encrypted, so I will not discuss anything here. Please start a new direct chat with encryption turned on (Element does this by default) and invite me there.
