# Тексты адаптера Telegram (сам диалог — в файлах ядра).
# Название, как его читают люди (src/chat/messenger-names.ts спрашивает messenger-name-<platform>).
messenger-name-telegram = Telegram
