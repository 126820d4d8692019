"""Volunteer pages, one module per journey: ``sign_up`` (the sign-up steps), ``profile`` (seeing and
changing your answers), ``search`` (roles that suit you, finding roles), ``role`` (a role's page),
``interest`` (saying you are interested, your applications) and ``my_data`` (downloading your data,
deleting your account). ``sections`` holds the profile's questions, which sign-up and the profile
both ask."""
