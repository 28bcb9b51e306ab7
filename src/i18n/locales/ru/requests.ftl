# Запросы о правовой помощи и напоминания по ним (src/requests).

requests-status-sent = отправлен, ответа пока нет
requests-status-acknowledged = получен
requests-status-in_progress = в работе
requests-status-more_info_needed = нужна дополнительная информация
requests-status-executed = исполнен
requests-status-refused = отказано
requests-status-withdrawn = отозван

requests-nudge =
    Напоминание о запросе ({ $type }) из страны: { $fromCountry }.
    Их номер: { $ourReference }
    Предмет: { $subject }
    Направлен { $sentDate }, отправитель: { $requesterName }. Текущий статус: { $status }.
    Как обстоят дела? Достаточно одного нажатия.
requests-nudge-urgent = СРОЧНЫЙ ЗАПРОС
requests-nudge-deputy = Вы получили это как заместитель: { $contactName } сейчас отсутствует.
requests-nudge-their-reference = Ваш номер: { $theirReference }

requests-button-ack = Получен
requests-button-prog = В работе
requests-button-info = Нужна информация
requests-button-done = Исполнен
requests-button-ref = Отказано
requests-button-nm = Не ко мне

requests-escalation =
    Нет ответа после напоминаний ({ $count }): запрос ({ $type }) { $ourReference }, направленный { $sentDate } из страны { $fromCountry }; адресат — { $contactName } ({ $authority }).
    Предмет: { $subject }
    Как координатор ({ $toCountry }), помогите, пожалуйста, продвинуть его. Ответить за адресата можно кнопками ниже.

requests-notice-answer = { $contactName } ({ $toCountry }) ответил(а) по вашему запросу { $ourReference }: { $status }.
requests-notice-closed-by-requester = Отправитель закрыл запрос ({ $type }) { $ourReference } из страны { $fromCountry }: { $status }. Напоминаний по нему больше не будет.
requests-notice-reassigned = { $contactName } сообщает, что вашим запросом { $ourReference } занимается коллега: { $newContactName }. Напоминания теперь идут ему (ей).
requests-notice-handover = { $contactName } больше не занимается запросами в { $toCountry }: ваш запрос { $ourReference } передан преемнику, { $newContactName }. Напоминания продолжатся по тому же графику.
requests-notice-handover-nobody = { $contactName } больше не занимается запросами в { $toCountry }, а преемник для вашего запроса { $ourReference } не указан: напоминания теперь идут координатору { $toCountry }.
requests-notice-not-mine-nobody = { $contactName } сообщает, что запрос { $ourReference } не к нему (ней), а других сотрудников этого органа в реестре нет. Может помочь координатор ({ $toCountry }).
requests-notice-undeliverable = Напоминание по вашему запросу { $ourReference } ({ $toCountry }) не доставлено: { $reason }. Возможно, стоит связаться другим способом.
requests-notice-escalated = Нет ответа после напоминаний ({ $count }) по вашему запросу { $ourReference }: координатор ({ $toCountry }) уведомлён.
requests-notice-escalation-nobody = Нет ответа после напоминаний ({ $count }) по вашему запросу { $ourReference }, а связаться с координатором ({ $toCountry }) через Counterpart нельзя.

requests-reason-no_contact = контактное лицо для него не зарегистрировано
requests-reason-no_member = у контактного лица нет учётной записи в Counterpart
requests-reason-no_messenger = контактное лицо не подключило мессенджер
requests-reason-failed = мессенджер получателя отклонил сообщение

requests-answer-thanks = Спасибо. Статус запроса { $ourReference }: { $status }. Отправитель уведомлён.
requests-answer-stale = Эта кнопка устарела.
requests-answer-not-yours = Этот запрос адресован не вам.
requests-answer-closed = Запрос { $ourReference } уже закрыт ({ $status }).
requests-pick-colleague = Кто в органе «{ $authority }» занимается запросом { $ourReference }? Выберите коллегу:
requests-no-colleague = Других сотрудников вашего органа в реестре нет. Отправитель уведомлён; может помочь ваш координатор.
requests-reassigned = Спасибо. Запрос { $ourReference } передан: { $contactName }.

requests-command-list-help = Ваши запросы, их статус и срок
requests-command-new-help = Зарегистрировать направленный запрос, чтобы по нему напоминали
requests-argument-reference-subject = НОМЕР ПРЕДМЕТ

requests-list-heading = Ваши запросы:
requests-list-addressed-heading = Адресованы вам:
requests-list-item = { $ourReference } · { $type } → { $toCountry } · { $status } · { $ageDays ->
        [one] { $ageDays } день
        [few] { $ageDays } дня
       *[many] { $ageDays } дней
    }
requests-list-empty = У вас нет зарегистрированных запросов.
requests-list-more = …и ещё { $count } (см. веб-консоль).
requests-button-new = Зарегистрировать запрос
requests-list-item-overdue = ⚠ { requests-list-item }
requests-list-outgoing-heading = Направлены из страны { $country }:
requests-list-incoming-heading = Направлены в страну { $country }:
requests-list-country-empty = Запросов из страны { $country } и в неё не зарегистрировано.
requests-card = Запрос { $ourReference } ({ $type }), направлен { $sentDate } в страну { $toCountry }; адресат — { $contactName }. Статус: { $status }.
requests-button-withdraw = Отозвать
requests-button-their-reference = Указать их номер
requests-steer-status = Запрос { $ourReference }: { $status }.
requests-steer-closed = Запрос { $ourReference } закрыт: { $status }. Напоминания остановлены, адресат уведомлён.
requests-steer-refused = Этот запрос нельзя изменить отсюда (возможно, он уже закрыт или он не ваш).
requests-their-reference-title = указание их номера
requests-their-reference-expired = Время истекло. Откройте запрос снова: { $prefix }запросы.
requests-their-reference-ask = Запрос { $ourReference }: введите номер, присвоенный запрашиваемой стороной.
requests-their-reference-placeholder = их номер, например 2026/1187-MLA
requests-their-reference-too-long = Их номер — от 1 до { $reference } символов.
requests-their-reference-saved = Запрос { $ourReference }: их номер — { $theirReference }.

requests-new-prompt = Отправьте { $prefix }newrequest, затем ваш номер и краткий предмет без чувствительных сведений. Например: { $prefix }newrequest 12/345-2026 Выдача подозреваемого в мошенничестве
requests-new-choose-type = Запрос { $ourReference }: какого он вида?
requests-new-choose-from = Запрос { $ourReference }: из какой страны он направлен? (Вы не относитесь ни к одной стране.)
requests-new-choose-country = Запрос { $ourReference }: в какую страну он направлен?
requests-new-choose-sent = Запрос { $ourReference }: когда он направлен?
requests-new-choose-urgent = Запрос { $ourReference }: он срочный?
requests-new-sent-0 = Сегодня
requests-new-sent-1 = Вчера
requests-new-sent-7 = Неделю назад
requests-new-sent-30 = Месяц назад
requests-new-sent-90 = Три месяца назад
requests-yes = Да
requests-no = Нет
requests-new-cancelled = Регистрация отменена.
requests-new-expired = Время регистрации истекло. Начните заново: { $prefix }newrequest.
requests-new-too-long = Номер — не длиннее { $reference } символов, предмет — не длиннее { $subject }. Предмет должен быть кратким и без чувствительных сведений.
requests-new-done = Зарегистрирован: { $ourReference } ({ $type }), направлен { $sentDate } в страну { $toCountry }.
requests-new-contact = Напоминания получит { $contactName }, { $authority }. Первое: { $nextNudge }.
requests-new-no-contact = В стране { $toCountry } не зарегистрировано контактное лицо для этого вида запросов, поэтому напоминать пока некому.
requests-new-ask-reference = Запрос в страну { $toCountry }: введите ваш номер (исходящий номер направленного запроса).
requests-new-ask-subject = Номер { $ourReference }: теперь кратко опишите предмет без чувствительных сведений (его увидит адресат).
requests-new-title = регистрация запроса
requests-new-choose-type-unnamed = Какого вида запрос?
requests-new-choose-from-unnamed = Из какой страны направлен запрос? (Вы не относитесь ни к одной стране.)
requests-new-choose-country-unnamed = В какую страну направлен запрос?
requests-new-choose-sent-unnamed = Когда направлен запрос?
requests-new-choose-urgent-unnamed = Запрос срочный?
requests-new-sent-placeholder = или введите дату, например 01.03.2026
requests-new-sent-future = Эта дата ещё не наступила; зарегистрировать можно только уже направленный запрос.
requests-new-sent-too-old = Эта дата слишком давняя.
requests-new-reference-placeholder = ваш номер, например 12/345-2026
requests-new-subject-placeholder = краткий предмет без чувствительных сведений
requests-new-use-as-subject = Сделать предметом запроса
