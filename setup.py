"""Build the optional C speedups of the mbox reader; all other metadata is in pyproject.toml.

``netanalytics.io._speedups`` finds message starts and header lines in an mbox at memory speed
(the scan and the header split of ``read_mbox``). It is optional: where no C compiler is found
the build goes on without it and the reader uses its pure-Python route, which gives identical
results (tested), only slower.
"""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "netanalytics.io._speedups",
            sources=[
                "netanalytics/io/_speedups_src/module.c",
                "netanalytics/io/_speedups_src/scan.c",
                "netanalytics/io/_speedups_src/split.c",
                "netanalytics/io/_speedups_src/distinct.c",
                "netanalytics/io/_speedups_src/addresses.c",
                "netanalytics/io/_speedups_src/flat.c",
                "netanalytics/io/_speedups_src/ids.c",
                "netanalytics/io/_speedups_src/dates.c",
            ],
            depends=["netanalytics/io/_speedups_src/speedups.h"],
            extra_compile_args=["-O2"],
            optional=True,
        )
    ]
)
