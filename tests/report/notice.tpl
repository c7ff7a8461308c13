To: {{to}}
Subject: [{{server}}] relay exception {{exception}}
Expires: {{expires}}

{{sender}}: {{messages}} messages to {{recipients}} recipients from {{networks}},
first {{first_use}}, last {{last_use}}, {{days_left}} days left as of {{report_date}}.
Set up {{server}} with a login and STARTTLS on 587, or SSL/TLS on 465.
{{help_url}} / {{contact}}
