/* Distinct values, the loops of two Python functions without the interpreter's dispatch.
 *
 * encode: netanalytics.io._headers.encode. The distinct values of a list in first-seen order
 * (equal as dict keys are equal), and the int32 code of each value, as a bytearray. A list of
 * bytes and None only (a header column) is encoded in a table of its own, on na_hash_bytes
 * and the bytes compared (no dict, no int object per distinct value); any other list through
 * a dict, as Python does.
 *
 * interned: netanalytics.io._mbox._interned.
 * The values are a part's distinct lists: each becomes shared.setdefault(tuple(list), list),
 * the list equal to it seen first. Returns them, in order, as a Python list.
 */
#include "speedups.h"
#include <stdint.h>

/* encode of n values that are each bytes (exactly) or None: codes written to out. */
static PyObject *encode_bytes(PyObject **items, Py_ssize_t n, int32_t *out) {
    int bits = 4;
    while (((Py_ssize_t)1 << bits) < 2 * n)
        bits++;
    size_t mask = ((size_t)1 << bits) - 1;
    int32_t *slots = PyMem_Malloc(sizeof(int32_t) << bits); /* a code, or -1: empty */
    uint64_t *hashes = PyMem_Malloc(sizeof(uint64_t) * (size_t)(n ? n : 1)); /* per code */
    PyObject *distinct = PyList_New(0);
    if (slots == NULL || hashes == NULL || distinct == NULL) {
        if (slots == NULL || hashes == NULL)
            PyErr_NoMemory();
        goto fail;
    }
    memset(slots, 0xff, sizeof(int32_t) << bits);
    int32_t none_code = -1;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = items[i];
        if (v == Py_None) {
            if (none_code < 0) {
                none_code = (int32_t)PyList_GET_SIZE(distinct);
                hashes[none_code] = 0;
                if (PyList_Append(distinct, v) < 0)
                    goto fail;
            }
            out[i] = none_code;
            continue;
        }
        const char *p = PyBytes_AS_STRING(v);
        Py_ssize_t size = PyBytes_GET_SIZE(v);
        uint64_t h = na_hash_bytes(p, size);
        size_t j = na_slot_of(h, bits);
        int32_t code;
        while ((code = slots[j]) >= 0) {
            PyObject *w = PyList_GET_ITEM(distinct, code);
            if (hashes[code] == h && (w == v || (PyBytes_GET_SIZE(w) == size && memcmp(PyBytes_AS_STRING(w), p, (size_t)size) == 0)))
                break;
            j = (j + 1) & mask;
        }
        if (code < 0) { /* first seen */
            code = (int32_t)PyList_GET_SIZE(distinct);
            hashes[code] = h;
            slots[j] = code;
            if (PyList_Append(distinct, v) < 0)
                goto fail;
        }
        out[i] = code;
    }
    PyMem_Free(slots);
    PyMem_Free(hashes);
    return distinct;
fail:
    PyMem_Free(slots);
    PyMem_Free(hashes);
    Py_XDECREF(distinct);
    return NULL;
}

PyObject *na_encode(PyObject *self, PyObject *values) {
    PyObject *seq = PySequence_Fast(values, "encode: values must be a sequence");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    if (n > INT32_MAX) {
        Py_DECREF(seq);
        PyErr_SetString(PyExc_OverflowError, "encode: more than 2**31 values");
        return NULL;
    }
    PyObject **items = PySequence_Fast_ITEMS(seq);
    Py_ssize_t k = 0;
    while (k < n && (items[k] == Py_None || PyBytes_CheckExact(items[k])))
        k++;
    if (k == n) { /* a header column */
        PyObject *codes = PyByteArray_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int32_t));
        PyObject *distinct = codes == NULL ? NULL : encode_bytes(items, n, (int32_t *)PyByteArray_AS_STRING(codes));
        Py_DECREF(seq);
        if (distinct == NULL) {
            Py_XDECREF(codes);
            return NULL;
        }
        return Py_BuildValue("(NN)", distinct, codes);
    }
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
