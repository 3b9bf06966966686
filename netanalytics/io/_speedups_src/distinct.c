/* Distinct values, the loops of two Python functions without the interpreter's dispatch.
 *
 * encode: netanalytics.io._headers.encode. The distinct values of a list in first-seen order
 * (equal as dict keys are equal), and the int32 code of each value, as a bytearray.
 *
 * interned: netanalytics.io._mbox._interned.
 * The values are a part's distinct lists: each becomes shared.setdefault(tuple(list), list),
 * the list equal to it seen first. Returns them, in order, as a Python list.
 */
#include "speedups.h"
#include <stdint.h>

PyObject *na_encode(PyObject *self, PyObject *values) {
    PyObject *seq = PySequence_Fast(values, "encode: values must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *index = PyDict_New(), *distinct = PyList_New(0);
    PyObject *codes = PyByteArray_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int32_t));
    if (index == NULL || distinct == NULL || codes == NULL)
        goto fail;
    int32_t *out = (int32_t *)PyByteArray_AS_STRING(codes);
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PySequence_Fast_GET_ITEM(seq, i); /* borrowed */
        PyObject *code = PyDict_GetItemWithError(index, v); /* borrowed */
        if (code == NULL) {
            if (PyErr_Occurred())
                goto fail;
            Py_ssize_t k = PyList_GET_SIZE(distinct);
            if (k > INT32_MAX) {
                PyErr_SetString(PyExc_OverflowError, "encode: more than 2**31 distinct values");
                goto fail;
            }
            code = PyLong_FromSsize_t(k);
            if (code == NULL)
                goto fail;
            int failed = PyDict_SetItem(index, v, code) < 0 || PyList_Append(distinct, v) < 0;
            Py_DECREF(code);
            if (failed)
                goto fail;
            out[i] = (int32_t)k;
        } else {
            out[i] = (int32_t)PyLong_AsSsize_t(code);
        }
    }
    Py_DECREF(seq);
    Py_DECREF(index);
    return Py_BuildValue("(NN)", distinct, codes);
fail:
    Py_DECREF(seq);
    Py_XDECREF(index);
    Py_XDECREF(distinct);
    Py_XDECREF(codes);
    return NULL;
}

PyObject *na_interned(PyObject *self, PyObject *args) {
    PyObject *values, *shared;
    if (!PyArg_ParseTuple(args, "OO!", &values, &PyDict_Type, &shared))
        return NULL;
    PyObject *seq = PySequence_Fast(values, "interned: values must be a sequence of lists");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    PyObject *out = PyList_New(n);
    if (out == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PySequence_Fast_GET_ITEM(seq, i); /* borrowed */
        if (!PyList_Check(v)) {
            PyErr_Format(PyExc_TypeError, "interned: value %zd is a %.50s, not a list", i, Py_TYPE(v)->tp_name);
            goto fail;
        }
        PyObject *key = PyList_AsTuple(v);
        if (key == NULL)
            goto fail;
        PyObject *hit = PyDict_SetDefault(shared, key, v); /* borrowed */
        Py_DECREF(key);
        if (hit == NULL)
            goto fail;
        Py_INCREF(hit);
        PyList_SET_ITEM(out, i, hit);
    }
    Py_DECREF(seq);
    return out;
fail:
    Py_DECREF(seq);
    Py_XDECREF(out);
    return NULL;
}
