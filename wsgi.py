"""WSGI entry point for any WSGI server: ``gunicorn wsgi:app``, ``waitress-serve wsgi:app``, ….

The app as ``create_app()`` makes it from the ``FEEDSVC_*`` environment:
built in this process, the WebSub hub told at start. For production with
gunicorn, ``gunicorn -c deploy/gunicorn.conf.py`` runs the app made for its
hooks instead (``feedsvc.app:create_gunicorn_app()``).
"""

from feedsvc.app import create_app

app = create_app()
