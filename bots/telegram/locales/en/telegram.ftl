# The Telegram adapter's own texts (the conversation itself comes from the core's files).
# Its name as people read it (src/chat/messenger-names.ts asks for messenger-name-<platform>).
messenger-name-telegram = Telegram
