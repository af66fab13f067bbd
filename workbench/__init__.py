"""The workbench: the people in the loop, in the browser.

A department's officers see the verifications waiting for them (``/dept/<department>``), claim
one, and confirm or refuse it with a reason: the same Temporal update ``onething answer`` sends.
Run it with ``python -m workbench.serve``; ``onething up`` starts it on ``ONETHING_LOCAL_WEB_PORT``.
"""
