// placeholder shell; the web app issue fills it in
