/* wanted_lines: see netanalytics.io._headers._wanted_lines. (not written yet) */
#include "speedups.h"

PyObject *na_wanted_lines(PyObject *self, PyObject *args) {
    PyErr_SetString(PyExc_NotImplementedError, "wanted_lines");
    return NULL;
}
