/* Shared declarations of netanalytics.io._speedups (see module.c). */
#ifndef NETANALYTICS_SPEEDUPS_H
#define NETANALYTICS_SPEEDUPS_H
#define PY_SSIZE_T_CLEAN
#include <Python.h>

PyObject *na_scan(PyObject *self, PyObject *args);
PyObject *na_header_values(PyObject *self, PyObject *args);
PyObject *na_interned(PyObject *self, PyObject *args);
PyObject *na_encode(PyObject *self, PyObject *values);

#endif
