"""Citizens' data at rest: payload encryption, its key ring, service tokens and the codec server.

``keys`` and ``tokens`` say where secrets come from (settings, or ``$ONETHING_HOME/keys/`` for
the local stack); ``codec`` encrypts Temporal payloads; ``codec_server`` decodes them for the Web
UI and the ``temporal`` CLI.
"""
