# Консоль управления (src/console): национальные координаторы и секретариат сети в браузере.
console-title = Counterpart: управление
console-skip-to-content = Перейти к содержанию
console-nav-label = Разделы
console-nav-chat = Чат
console-nav-registry = Реестр
console-nav-members = Участники
console-nav-requests = Запросы
console-nav-consultations = Консультации
console-nav-analytics = Аналитика
console-nav-audit = Журнал
console-language-label = Язык
console-signed-in-as = { $name } · { $role } · { $country }
console-logout = Выйти
console-role-admin = секретариат сети
console-role-coordinator = национальный координатор
console-role-member = участник

console-title-not-found = Не найдено
console-title-refused = Нет доступа
console-back-to-registry = Вернуться к реестру
console-error-forbidden = Это нельзя открыть или изменить: запись относится к другой стране или требует другой роли.
console-error-not_found = Такой записи нет (больше нет).
console-error-unauthorized = Сеанс завершён. Войдите снова.
console-error-conflict = Сейчас это невозможно: от этого ещё что-то зависит.
console-error-validation_failed = Некоторые значения неверны.
console-error-bad_request = Запрос не понят.
console-error-rate_limited = Слишком много запросов. Подождите немного.
console-error-internal = Что-то пошло не так. Попробуйте ещё раз через минуту.
console-error-network = Сервер недоступен. Проверьте подключение и попробуйте снова.

console-nothing-found = Ничего не найдено.
console-sorted-ascending = по возрастанию
console-sorted-descending = по убыванию
console-pages-label = Страницы
console-page-previous = Предыдущая страница
console-page-next = Следующая страница
console-page-of = Страница { $page } из { $pages }
console-required = обязательно
console-since = с { $date }

# Реестр
console-registry-title = Реестр
console-registry-tools = Работа с реестром
console-registry-treaties = Договоры
console-registry-import = Импорт файла реестра
console-registry-export = Скачать реестр (JSON)
console-registry-filters = Поиск контактов
console-registry-caption = Контактные лица
console-registry-count = { $count ->
    [one] { $count } контакт
    [few] { $count } контакта
   *[other] { $count } контактов
}
console-filter-search = Имя
console-filter-search-hint = Латиницей или кириллицей: «Бакыт» найдёт «Bakyt».
console-filter-country = Страна
console-filter-competence = Компетенция
console-filter-status = Статус
console-filter-any = Любая
console-filter-only = Только контакты, которые
console-filter-stale = устарели (проверены более 12 месяцев назад)
console-filter-away = сейчас отсутствуют
console-filter-unreachable = недоступны (последнее сообщение не доставлено)
console-filter-unlinked = без привязанного аккаунта
console-filter-apply = Применить
console-filter-clear = Сбросить фильтры
console-col-name = Имя
console-col-country = Страна
console-col-authority = Орган
console-col-competences = Компетенции
console-col-status = Статус
console-col-verified = Проверено
console-col-reach = Доступность
console-status-all = Все
console-status-active = Действует
console-status-retired = Выбыл
console-status-suspended = Приостановлен
console-badge-stale = устарело
console-badge-fresh = актуально
console-badge-away-until = отсутствует до { $date }
console-badge-linked = аккаунт привязан
console-badge-unlinked = нет привязанного аккаунта
console-badge-unreachable = недоступен

# Контакт
console-contact-summary = Запись
console-contact-id = Идентификатор записи
console-contact-verification = Проверка
console-verified-on = Последняя проверка: { $date }
console-verified-on-by = Последняя проверка: { $date }, { $name }.
console-verify-now = Отметить как проверенное сегодня
console-verify-hint = Отмечайте после того, как подтвердили данные у самого человека или в его ведомстве.
console-verified-now = Проверено сегодня ({ $date }).
console-verification-state = Повторная проверка
console-verification-fresh = актуально
console-verification-prompted = запрос отправлен
console-verification-overdue = просрочено
console-verification-unreachable = недоступен
console-verification-proposal_pending = ждёт предложение
console-reverify-send = Отправить запрос на подтверждение
console-reverify-sent = Запрос на подтверждение отправлен.
console-contact-proposals = Предложенные изменения
console-proposals-none = Предложений нет.
console-proposal-line = Предлагает новые значения: { $fields } ({ $date })
console-proposal-approve = Принять
console-proposal-reject = Отклонить
console-proposal-approved = Предложение принято и применено.
console-proposal-rejected = Предложение отклонено.
console-contact-people = Кто стоит за записью
console-contact-no-member = Для этого контакта никто не привязал мессенджер, поэтому консультации и напоминания до него не дойдут.
console-contact-invite-person = Пригласить этого человека
console-contact-edit = Изменить
console-contact-retire = Вывести из реестра и передать дела
console-field-successor = Преемник
console-field-successor-hint = Открытые консультации и запросы перейдут к преемнику.
console-field-successor-none = Пока никто (дела принимает координатор)
console-retire = Вывести контакт
console-retired = Контакт выведен, его дела переданы.
console-contact-history = История
console-contact-full-history = Вся история в журнале
console-nothing-changed = Ничего не изменено.
console-saved = Сохранено ({ $fields ->
    [one] изменено { $fields } поле
    [few] изменено { $fields } поля
   *[other] изменено { $fields } полей
}).
console-save = Сохранить изменения

console-form-identity = Имя и должность
console-form-reach = Языки и каналы связи
console-form-hours = Рабочее время
console-form-absence = Отсутствие
console-form-absence-hint = Пока контакт отсутствует, в ответах называется заместитель, а консультации и напоминания идут заместителю.
console-field-name-en = Имя (по-английски)
console-field-name-ru = Имя (по-русски)
console-field-title = Должность
console-field-title-ru = Должность (по-русски)
console-field-authority = Орган
console-field-status = Статус
console-field-competences = Компетенции
console-field-languages = Языки
console-field-languages-hint = Коды ISO 639 через запятую, например «ky, ru, en».
console-field-channel-new-kind = Другой канал: вид
console-field-channel-new-kind-hint = Например, fax или web.
console-field-channel-new-value = Другой канал: значение
console-field-channels-hint = В порядке предпочтения. Оставьте значение пустым, чтобы убрать канал.
console-field-days = Рабочие дни
console-field-hours-start = Начало
console-field-hours-end = Окончание
console-field-hours-hint = Местное время: { $country }.
console-field-away-start = Отсутствует с
console-field-away-end = Отсутствует по (последний день)
console-field-away-note = Примечание (например, отпуск)
console-field-away-note-ru = Примечание (по-русски)
console-field-deputy = Заместитель
console-field-deputy-hint = Коллега, который замещает контакт на время отсутствия.
console-field-deputy-none = Без заместителя
console-channel-phone = Телефон
console-channel-email = Эл. почта
console-channel-telegram = Telegram
console-channel-matrix = Matrix
console-channel-fax = Факс

console-error-summary = { $count ->
    [one] Есть { $count } ошибка
    [few] Есть { $count } ошибки
   *[other] Есть { $count } ошибок
}
console-error-required = Введите значение.
console-error-choose = Выберите один из вариантов.
console-error-needs-country = Выберите страну: без страны может быть только администратор.
console-error-competences = Выберите хотя бы одну компетенцию.
console-error-language = «{ $code }» не код языка (используйте ISO 639, например «ru»).
console-error-channel-phone = Введите телефон в международном формате, например +996 312 66 22 11.
console-error-channel-email = Введите адрес эл. почты, например name@agency.example.org.
console-error-channel-telegram = Введите имя пользователя Telegram: от 4 до 32 латинских букв, цифр или «_», например @name.
console-error-channel-matrix = Введите идентификатор Matrix, например @name:matrix.example.org.
console-error-channel-kind = Вид канала: строчные латинские буквы, цифры и «_», например fax.
console-error-days = Выберите хотя бы один рабочий день.
console-error-time = Введите время в виде ЧЧ:ММ, например 09:00.
console-error-end-after-start = Окончание должно быть позже начала.
console-error-date = Введите дату.
console-error-until-after-from = Последний день не может быть раньше первого.

console-actor-system = система
console-actor-cli = командная строка
console-action-contact-update = изменено
console-action-contact-verify = проверено
console-action-contact-create = создано
console-action-contact-delete = удалено
console-action-registry-read = просмотр
console-action-registry-import = импорт реестра

# Участники
console-members-title = Участники
console-members-caption = Участники
console-col-role = Роль
console-col-contact = Контакт в реестре
console-col-messengers = Привязанные аккаунты
console-col-last-activity = Последняя активность
console-col-invites-tokens = Приглашения и API-токены
console-col-actions = Действия
console-never = никогда
console-unlink = Отвязать
console-unlink-label = Отвязать аккаунт { $platform } участника { $name }
console-confirm-unlink = Отвязать аккаунт { $platform } участника { $name }? Чтобы привязать его снова, понадобится новое приглашение.
console-unlinked = Аккаунт отвязан.
console-invite = Пригласить
console-invite-label = Пригласить: { $name }
console-invite-pending = Приглашение действует до { $date }
console-withdraw = Отозвать
console-withdraw-label = Отозвать открытое приглашение участника { $name }
console-invite-withdrawn = Приглашение отозвано, его код больше не действует.
console-token-line = API-токен «{ $label }»
console-revoke = Отозвать
console-revoke-label = Отозвать API-токен «{ $label }» участника { $name }
console-confirm-revoke = Отозвать API-токен «{ $label }»? Программы, которые его используют, перестанут работать.
console-token-revoked = API-токен отозван.
console-token-label-for = Название нового API-токена для { $name }
console-token-placeholder = Название токена
console-token-issue = Выдать API-токен
console-token-label-needed = Дайте токену название (например, программа или ноутбук, где он используется).
console-token-issued = Новый API-токен для { $name }
console-token-once = Скопируйте его сейчас: он показывается только один раз и хранится только в виде хеша.
console-disable = Отключить
console-disable-label = Отключить участника { $name }
console-confirm-disable = Отключить участника { $name }? Его токены будут отозваны, мессенджеры отвязаны; история сохранится.
console-member-disabled = Участник { $name } отключён.
console-copy = Копировать
console-copied = Скопировано.
console-invite-for = Приглашение для { $name }
console-invite-once = Одноразовое. Код показывается только сейчас (действует до { $date }): отправьте его или один из способов входа ниже.
console-invite-code = Код
# Способ входа называется по мессенджеру ($messenger — из messenger-name-<platform> адаптера).
console-way-command = Инструкция для { $messenger }
console-invite-send-command = Отправьте «{ $command }» пользователю { $to } в личном чате.
console-invite-qr = Отсканируйте камерой телефона, чтобы открыть веб-консоль с уже введённым кодом.
console-invite-qr-label = QR-код ссылки на веб-консоль
console-member-create = Добавить участника
console-member-contact = Человек, стоящий за контактом реестра
console-member-contact-hint = Тогда консультации и напоминания для этого контакта придут в мессенджеры этого участника.
console-member-contact-none = Нет
console-member-locale = Язык
console-member-invite-now = Сразу создать приглашение
console-member-create-submit = Добавить участника
console-member-created = Участник { $name } добавлен.
console-error-too-long = Слишком длинно.

# Аналитика
console-analytics-title = Аналитика
console-download-csv = Скачать CSV
console-analytics-network = Вся сеть
console-analytics-secretariat = Секретариат
console-analytics-scope-mine = Выбранное
console-analytics-all-countries = все страны
console-analytics-period = Период
console-analytics-from = С
console-analytics-to = По
console-analytics-period-line = С { $from } по { $to }; { $scope }.
console-analytics-requests = Официальные запросы: время до подтверждения и до исполнения
console-analytics-requests-intro = С даты отправки запроса до первого ответа другой стороны и до исполнения, по парам стран и видам запросов.
console-analytics-requests-monthly = Время до подтверждения по месяцам
console-analytics-consultations = Консультации: время до первого ответа
console-analytics-consultations-intro = С начала консультации до первого сообщения или отказа другой стороны, по парам стран и компетенциям. Консультации, которые некому было доставить, считаются отдельно как недоставленные, а не как оставшиеся без ответа.
console-analytics-consultations-monthly = Время до первого ответа по месяцам
console-analytics-pending = Ожидающие запросы по сроку
console-analytics-freshness = Актуальность реестра
console-analytics-freshness-intro = Доля действующих контактов, проверенных за последние 6 и 12 месяцев, и контакты, до которых не доходят сообщения.
console-analytics-nudges = Напоминания: отправлено, отвечено, эскалировано
console-analytics-deliveries = Недоставленные сообщения
console-analytics-deliveries-intro = Сообщения, которые мессенджер окончательно отклонил или судьба которых неизвестна после сбоя, по всей сети.
console-analytics-pair = Страны
console-analytics-type = Вид
console-analytics-competence = Компетенция
console-analytics-count = Количество
console-analytics-answered = С ответом
console-analytics-ack-median = Подтверждение, медиана
console-analytics-ack-p90 = Подтверждение, 90-й процентиль
console-analytics-exec-median = Исполнение, медиана
console-analytics-exec-p90 = Исполнение, 90-й процентиль
console-analytics-median = Медиана
console-analytics-p90 = 90-й процентиль
console-analytics-month = Месяц
console-analytics-age = Срок
console-analytics-days = { $range } дн.
console-analytics-contacts = Действующие контакты
console-analytics-share-6 = Проверено за 6 месяцев
console-analytics-share-12 = Проверено за 12 месяцев
console-analytics-unlinked = Без привязанного аккаунта
console-analytics-unreachable = Недоступны
console-analytics-sent = Доставлено напоминаний
console-analytics-answers = Ответы
console-analytics-escalated = Эскалации
console-analytics-undeliverable = Не доставлено
console-analytics-kind = Вид
console-analytics-failed = Не доставлено
console-analytics-uncertain = Неизвестно

# Запросы, консультации, журнал
console-requests-title = Официальные запросы
console-requests-filters = Отбор запросов
console-requests-from = Из страны (код ISO)
console-requests-to = В страну (код ISO)
console-requests-overdue = Только просроченные (напоминание без ответа или эскалация)
console-requests-count = { $count ->
    [one] { $count } запрос
    [few] { $count } запроса
   *[other] { $count } запросов
}
console-requests-id = Запрос
console-requests-counterpart = Адресат
console-requests-next-nudge = Следующее напоминание
console-requests-unanswered = Напоминаний без ответа
console-badge-escalated = эскалация
console-age-days = { $days ->
    [one] { $days } день
    [few] { $days } дня
   *[other] { $days } дней
}
console-request-status-sent = отправлен
console-request-status-acknowledged = получен
console-request-status-in_progress = в работе
console-request-status-more_info_needed = нужны сведения
console-request-status-executed = исполнен
console-request-status-refused = отказано
console-request-status-withdrawn = отозван
console-consultations-title = Консультации
console-consultations-intro = Кто к кому обратился, как консультация маршрутизировалась и как быстро пришёл ответ. Содержание переписки здесь не показывается никогда.
console-consultations-count = { $count ->
    [one] { $count } консультация
    [few] { $count } консультации
   *[other] { $count } консультаций
}
console-consultations-ref = Номер
console-consultations-route = Сейчас у
console-consultations-started = Начата
console-consultations-first-answer = Первый ответ через
console-consultations-sensitive = Конфиденциально
console-badge-sensitive = конфиденциально
console-consultation-status-pending = ждёт принятия
console-consultation-status-forwarded = передана коллеге
console-consultation-status-rerouted = перенаправлена
console-consultation-status-accepted = принята
console-consultation-status-declined = отклонена
console-consultation-status-closed = закрыта
console-consultation-status-expired = истекла
console-consultation-status-undeliverable = не доставлена (никто не доступен)
console-route-contact = контакта
console-route-deputy = заместителя
console-route-coordinator = координатора
console-audit-title = Журнал аудита
console-audit-chain = Проверка цепочки
console-audit-chain-intro = Хеш каждой записи включает предыдущую: изменённая или удалённая запись разрывает цепочку. Это та же проверка, что и «audit verify».
console-audit-verify = Проверить цепочку
console-audit-intact = Журнал цел: проверено записей: { $entries }.
console-audit-broken = Журнал НАРУШЕН: проблем: { $problems }, записей: { $entries }.
console-audit-filters = Отбор записей
console-audit-actor = Кто
console-audit-subject = Объект
console-audit-action = Действие
console-audit-at = Когда
console-audit-details = Подробности
console-audit-hint = Звёздочка в конце обозначает начало: «contact:kz-*», «invite.*».
console-audit-older = Более ранние записи

# Treaties, import and export (admins)
console-treaties-title = Договоры
console-treaties-intro = Договоры, связывающие страны по каждой компетенции: ответы называют их правовыми основаниями между страной спрашивающего и страной партнёра.
console-treaties-back = Все договоры
console-treaty-add = Добавить договор
console-treaty-covers = Охватываемые компетенции
console-treaty-parties = Участники
console-treaty-parties-all = Открыт для всех государств
console-treaty-parties-listed = Только перечисленные государства
console-treaty-parties-codes = Участники (коды стран ISO)
console-treaty-parties-hint = Двухбуквенные коды через запятую, например «KZ, KG, UZ».
console-treaty-identity = Договор
console-treaty-id-hint = Строчные латинские буквы, цифры, «-» и «_», например «cis-minsk-1993». Потом его не изменить.
console-treaty-created = Договор добавлен.
console-treaty-saved = Договор сохранён.
console-treaty-delete = Удалить этот договор
console-treaty-confirm-delete = Удалить договор «{ $name }»? Ответы перестанут его называть.
console-error-treaty-id = Используйте строчные латинские буквы, цифры, «-» и «_» (до 64).
console-error-treaty-id-taken = Договор с таким идентификатором уже есть.
console-error-treaty-parties = Укажите хотя бы двух участников или выберите «Открыт для всех государств».
console-error-country-code = «{ $code }» — не двухбуквенный код страны.
console-import-intro = Заменяет весь реестр файлом реестра (в формате выгрузки). Сначала проверьте его: проверка перечисляет все ошибки с их местом в файле или показывает, что изменит импорт, и ничего не меняет.
console-import-file = Файл реестра (JSON)
console-import-file-hint = Выбранный файл попадёт текстом в поле ниже.
console-import-text = Текст файла реестра
console-import-check = Проверить (без изменений)
console-import-run = Импортировать и заменить реестр
console-import-confirm = Заменить весь реестр этим файлом? Записи, которых нет в файле, будут удалены.
console-import-empty = Сначала выберите файл или вставьте его текст.
console-import-not-json = Это не JSON, поэтому ничего не проверено и не изменено.
console-import-problems = { $count ->
    [one] В файле { $count } ошибка
    [few] В файле { $count } ошибки
   *[other] В файле { $count } ошибок
}
console-import-nothing-changed = Ничего не изменено. Исправьте файл в указанных местах и проверьте снова.
console-import-problems-caption = Ошибки файла с их путём JSON
console-import-path = Где (путь JSON)
console-import-problem = Ошибка
console-import-checked = Файл корректен (проверка: ничего не изменено)
console-import-done = Реестр заменён
console-import-would = Импорт создаст { $created }, изменит { $updated } и удалит { $removed } записей.
console-import-did = Создано записей: { $created }, изменено: { $updated }, удалено: { $removed }.
console-import-sections = Записи файла по разделам
console-import-section = Раздел
console-import-records = Записей
console-import-section-competences = Компетенции
console-import-section-countries = Страны
console-import-section-authorities = Органы
console-import-section-contacts = Контакты
console-import-section-treaties = Договоры
console-import-section-requirements = Требования к запросам

# One formal request
console-request-title = Запрос { $reference }
console-requests-back = Все запросы
console-request-facts = Запрос
console-request-urgent = срочный
console-request-subject = Предмет
console-request-references = Номера (наш / их)
console-request-sent = Направлен
console-request-requester = Зарегистрировал
console-request-no-nudge = не запланировано
console-request-timeline = Хронология
console-request-change-status = Изменить статус
console-request-status-hint = Для автора запроса, координатора запрашивающей страны или администратора. Итоговый статус (исполнен, отказано, отозван) останавливает напоминания.
console-request-status-save = Изменить статус
console-request-status-changed = Статус теперь «{ $status }».
console-event-registered = зарегистрирован
console-event-nudge = напоминание по графику
console-event-nudge_delivered = напоминание доставлено
console-event-nudge_undeliverable = напоминание не доставлено
console-event-nudge_delivery_uncertain = доставка напоминания не подтверждена
console-event-nudge_postponed = напоминание отложено
console-event-answer = ответ
console-event-reassigned = передан коллеге
console-event-escalated = передан координаторам
console-event-status_changed = статус изменён
console-event-updated = данные изменены
console-event-withdrawn = отозван
console-event-until = до { $at }
console-analytics-freshness-monthly = Актуальность реестра по месяцам
console-analytics-freshness-monthly-intro = Доля нынешних действующих контактов, последняя проверка которых на конец каждого месяца была не старше 6 и 12 месяцев (прежние проверки — из журнала аудита).
console-analytics-network-share-6 = Вся сеть, 6 месяцев
console-analytics-network-share-12 = Вся сеть, 12 месяцев
console-error-country-unknown = «{ $code }» — не страна этого реестра.
