# The mprof-trace package's build; its metadata is in pyproject.toml. Besides the module, the
# optional C accelerator of its decorated calls (_mprof_trace.c, docs/python.md): where it
# cannot be built (no compiler, no Python headers: Debian's python3-dev) the package installs
# without it, and mprof_trace takes its pure-Python path, which behaves the same, slower.
from setuptools import Extension, setup

setup(ext_modules=[Extension("_mprof_trace", sources=["_mprof_trace.c"], optional=True)])
