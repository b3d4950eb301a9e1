"""Uploaded evidence files, one module per job.

- :mod:`.filetypes` — the accepted kinds of file (pure Python);
- :mod:`.detect` — what a file's bytes are (pure Python, uses ``puremagic``);
- :mod:`.zips` — the limits that keep zip containers from unpacking to far too much
  ("zip bombs"), checked before anything is unpacked (pure Python);
- :mod:`.names` — file names fit for showing and for downloading (pure Python);
- :mod:`.checks` — whether an upload is kept: size, quota, extension, content (pure Python);
- :mod:`.messages` — the words people read when a file is refused, file sizes and the list of
  accepted types. The only module here that uses Flask-Babel: ``gettext`` at call time (the
  language of the current request or of :func:`flask_babel.force_locale`) and
  ``lazy_gettext`` for its table of zip troubles;
- :mod:`.storage` — :class:`~.storage.FileStore`, files on disk under random names (pure Python).

What is accepted is decided on the file's *content*, never on its name alone:
:func:`.detect.detect` looks at the bytes, :func:`.checks.check_upload` then requires that the
content is one of :data:`.filetypes.ACCEPTED` and that the name's extension agrees with it.

The size of one file is limited by ``UPLOAD_MAX_SIZE`` (default 10 MB) and checked on the
form, so that a file a little too large keeps what was typed; the request limit
``MAX_CONTENT_LENGTH`` sits above it. What one person may keep in all is ``UPLOAD_QUOTA``
(:class:`.checks.Quota`, counted by :mod:`portfolio.evidence.quota`).
"""
