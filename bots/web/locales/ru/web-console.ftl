# Тексты адаптера веб-консоли: её название в списках привязанных учётных записей
# (src/chat/messenger-names.ts спрашивает messenger-name-<platform>). Слова самой страницы — в web.ftl.
messenger-name-web = веб-консоль
