# Диалоговый движок (src/chat): тексты, общие для всех мессенджеров.
# $prefix — знак команды платформы: "/" (Telegram, веб) или "!" (Matrix).

chat-refusal-unknown =
    Здравствуйте! Этот помощник отвечает только участникам сети Counterpart, а эта учётная запись ещё не привязана к участнику.
    Чтобы привязать её, попросите у национального координатора (или секретариата сети) код приглашения и отправьте сюда { $link } КОД или откройте полученную ссылку-приглашение.
chat-link-done = Добро пожаловать, { $name }! Учётная запись привязана. Спрашивайте обычными словами, кто чем занимается, например: «кто занимается экстрадицией в Киргизии». { $prefix }help — список команд.
chat-link-already = Эта учётная запись уже привязана к вам, { $name }. Просто задайте вопрос.
chat-link-account-taken = Эта учётная запись уже привязана к другому участнику. Сначала отправьте { $prefix }unlink, если хотите привязать её к кому-то другому.
chat-link-refused = Код не принят: возможно, он набран с ошибкой, уже использован или истёк. Попросите у координатора новое приглашение.
chat-link-throttled = Слишком много неверных кодов. Подождите несколько минут и попробуйте снова.
chat-link-missing-code = Отправьте код после команды, например: { $link } КОД
chat-link-private-only = Отправляйте коды приглашения только в личном чате со мной, не в группе. Если вы опубликовали код здесь, попросите координатора отозвать его и выдать новый.
chat-start-member = Снова здравствуйте, { $name }. Спросите, кто чем занимается, или отправьте { $prefix }help, чтобы увидеть команды.

chat-help-heading = Команды:
chat-help-free-text = Или просто напишите вопрос обычными словами, например: «кто занимается экстрадицией в Киргизии» или «правовая помощь Ташкент».
chat-help-unknown-account = Пока учётная запись не привязана кодом приглашения, работают только эти команды.

chat-command-help = показать эту справку
chat-command-start = привязать учётную запись кодом приглашения
chat-command-link = привязать учётную запись кодом приглашения
chat-command-language = выбрать язык ответов (английский или русский)
chat-command-whoami = показать, под каким именем вы вошли
chat-command-unlink = отвязать эту учётную запись от участника
chat-argument-code = КОД
chat-argument-language = en|ru

chat-unknown-command = Я не знаю команду { $command }. Отправьте { $prefix }help, чтобы увидеть список.
chat-command-forbidden = Для этой команды нужна роль «{ $role }».
chat-unknown-action = Эта кнопка больше не работает. Пожалуйста, задайте вопрос снова.
chat-group-private-only = Контактные данные я сообщаю только в личном чате. Пожалуйста, напишите мне напрямую.
chat-group-command-private-only = Пожалуйста, используйте эту команду в личном чате со мной.

chat-language-choose = Выберите язык моих ответов:
chat-language-set = Теперь я буду отвечать по-русски.
chat-language-unknown = Я говорю по-английски (en) и по-русски (ru). Отправьте { $prefix }language en или { $prefix }language ru.
chat-language-name-en = English
chat-language-name-ru = Русский

chat-whoami =
    Вы — { $name }, { $role }, { $country }.
    Привязанные учётные записи: { $accounts }.
    Язык ответов: { $language }.
chat-whoami-contact = Вы — контактное лицо реестра { $contactId }.
chat-role-admin = администратор
chat-role-coordinator = национальный координатор
chat-role-member = участник
chat-platform-telegram = Telegram
chat-platform-matrix = Matrix
chat-platform-web = веб-консоль
chat-language-auto = по языку ваших сообщений

chat-unlink-confirm = Отвязать эту учётную запись от участника? Чтобы привязать её снова, понадобится новый код приглашения.
chat-unlink-yes = Да, отвязать
chat-unlink-no = Нет, оставить
chat-unlink-done = Учётная запись отвязана. Чтобы привязать её снова, попросите у координатора новый код приглашения.
chat-unlink-kept = Ничего не изменилось: учётная запись остаётся привязанной.

# Диалоги-анкеты: общее для всех. $title называет действие («регистрация запроса»); $prefix — знак команды.
chat-command-cancel = прервать то, что вы заполняете (запрос, консультацию), ничего не отправляя
chat-command-back = вернуться к предыдущему вопросу того, что вы заполняете
flow-yes = Да
flow-no = Нет
flow-button-back = Назад
flow-button-cancel = Отмена
flow-button-ask = Задать как вопрос
flow-hint-cancel = ({ $prefix }отмена — прервать.)
flow-hint-cancel-back = ({ $prefix }назад — к предыдущему вопросу, { $prefix }отмена — прервать.)
flow-question-confirm = Это похоже на новый вопрос, а не на ответ. Что с ним сделать?
flow-choose-option = Пожалуйста, выберите один из вариантов ниже.
flow-date-invalid = Пожалуйста, введите дату в виде 01.03.2026 или 2026-03-01.
flow-reminder = Не завершено ({ $title }):
flow-timed-out = Время ожидания истекло ({ $title }); ничего не сохранено и не отправлено.
flow-replaced = Незавершённое действие прервано ({ $title }).
flow-cancelled = Отменено ({ $title }). Ничего не отправлено.
flow-nothing-to-cancel = Отменять нечего.
flow-nothing-to-go-back = Возвращаться некуда.
flow-back-first-step = Это первый вопрос.
flow-stale-button = Эта кнопка относится к предыдущему вопросу. Текущий вопрос:
flow-busy = Предыдущий ответ ещё обрабатывается. Пожалуйста, попробуйте ещё раз.
flow-nothing-held = Нет сообщения, ожидающего решения.
flow-title-generic = диалог
# An admin of no country (the network's secretariat) asks: which country is the question for?
chat-ask-country-title = вопрос
chat-ask-country-prompt = Вы не относитесь ни к одной стране (секретариат сети). От имени какой страны вы спрашиваете?
chat-ask-country-gone = Срок этого вопроса истёк. Задайте его ещё раз.
chat-ask-country-cancelled = Отменено. Вопрос не задан.
