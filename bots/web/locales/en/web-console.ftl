# The web console adapter's own texts: its name as people read it in lists of linked accounts
# (src/chat/messenger-names.ts asks for messenger-name-<platform>). The page's words are in web.ftl.
messenger-name-web = web console
