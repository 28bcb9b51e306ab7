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
console-verified-on = Последняя проверка: { $date }.
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
console-field-deputy = Заместитель
console-field-deputy-hint = Коллега, который замещает контакт на время отсутствия.
console-field-deputy-none = Без заместителя
console-channel-phone = Телефон
console-channel-email = Эл. почта
console-channel-telegram = Telegram
console-channel-matrix = Matrix
console-channel-fax = Факс
console-platform-web = веб-консоль
console-platform-telegram = Telegram
console-platform-matrix = Matrix

console-error-summary = { $count ->
    [one] Есть { $count } ошибка
    [few] Есть { $count } ошибки
   *[other] Есть { $count } ошибок
}
console-error-required = Введите значение.
console-error-choose = Выберите один из вариантов.
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
