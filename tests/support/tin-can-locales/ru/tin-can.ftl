messenger-name-tincan = Консервная банка
