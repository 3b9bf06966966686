/* Lists of strings sent from a worker to the reading process as one table of strings and
 * int32 codes, the loops of two Python functions without the interpreter's dispatch.
 *
 * flat_lists: netanalytics.io._mbox._flat_lists. The distinct element objects of the lists
 * in first-seen order (distinct by identity: equal strings that are two objects are two
 * entries), the int32 code of each element of each list, in order (a bytearray), and where
 * each list's codes start and end (n + 1 int64 offsets, a bytearray).
 *
 * lists_from_flat: netanalytics.io._mbox._lists_from_flat. The lists back from a table, codes
 * and offsets; with a dict ``shared``, each table string is first
 * shared.setdefault(string, string), so that equal strings of several parts are one object.
 *
 * text_hashes: the hashes of a worker's message ids, sent with them (see the end of the file).
 */
#include "speedups.h"
#include <stdint.h>

/* The table of flat_lists: open addressing on the objects' addresses (Fibonacci hashing of
 * the pointer), so that finding an element never reads the element itself. */
typedef struct {
    PyObject *key;
    int32_t code;
} na_slot;

typedef struct {
    na_slot *slots;
    int bits;
    Py_ssize_t used;
} na_ptr_table;

static inline size_t na_ptr_slot(const na_ptr_table *t, PyObject *p) {
    return na_slot_of((uint64_t)(uintptr_t)p, t->bits);
}

static int na_ptr_grow(na_ptr_table *t) {
    int bits = t->bits + 1;
    na_slot *slots = PyMem_Calloc((size_t)1 << bits, sizeof(na_slot));
    if (slots == NULL) {
        PyErr_NoMemory();
        return -1;
    }
    na_ptr_table bigger = {slots, bits, t->used};
    size_t mask = ((size_t)1 << bits) - 1;
    for (size_t i = 0; i < ((size_t)1 << t->bits); i++) {
        if (t->slots[i].key == NULL)
            continue;
        size_t j = na_ptr_slot(&bigger, t->slots[i].key);
        while (slots[j].key != NULL)
            j = (j + 1) & mask;
        slots[j] = t->slots[i];
    }
    PyMem_Free(t->slots);
    *t = bigger;
    return 0;
}

PyObject *na_flat_lists(PyObject *self, PyObject *lists) {
    PyObject *seq = PySequence_Fast(lists, "flat_lists: lists must be a sequence of lists");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq), total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PySequence_Fast_GET_ITEM(seq, i); /* borrowed */
        if (!PyList_Check(v)) {
            PyErr_Format(PyExc_TypeError, "flat_lists: value %zd is a %.50s, not a list", i, Py_TYPE(v)->tp_name);
            Py_DECREF(seq);
            return NULL;
        }
        total += PyList_GET_SIZE(v);
    }
    na_ptr_table index = {PyMem_Calloc(1 << 10, sizeof(na_slot)), 10, 0};
    PyObject *table = PyList_New(0);
    PyObject *codes = PyByteArray_FromStringAndSize(NULL, total * (Py_ssize_t)sizeof(int32_t));
    PyObject *offsets = PyByteArray_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    if (index.slots == NULL) {
        PyErr_NoMemory();
        goto fail;
    }
    if (table == NULL || codes == NULL || offsets == NULL)
        goto fail;
    int32_t *out = (int32_t *)PyByteArray_AS_STRING(codes);
    int64_t *at = (int64_t *)PyByteArray_AS_STRING(offsets);
    Py_ssize_t pos = 0;
    at[0] = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PySequence_Fast_GET_ITEM(seq, i); /* borrowed; nothing here runs Python code */
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(v); k++) {
            PyObject *x = PyList_GET_ITEM(v, k); /* borrowed */
            size_t mask = ((size_t)1 << index.bits) - 1, j = na_ptr_slot(&index, x);
            while (index.slots[j].key != NULL && index.slots[j].key != x)
                j = (j + 1) & mask;
            if (index.slots[j].key == NULL) { /* first seen */
                Py_ssize_t c = PyList_GET_SIZE(table);
                if (c >= INT32_MAX) {
                    PyErr_SetString(PyExc_OverflowError, "flat_lists: more than 2**31 distinct elements");
                    goto fail;
                }
                if (PyList_Append(table, x) < 0)
                    goto fail;
                index.slots[j].key = x; /* kept alive by the table */
                index.slots[j].code = (int32_t)c;
                if (++index.used * 2 > (Py_ssize_t)mask && na_ptr_grow(&index) < 0)
                    goto fail;
                out[pos++] = (int32_t)c;
            } else {
                out[pos++] = index.slots[j].code;
            }
        }
        at[i + 1] = pos;
    }
    PyMem_Free(index.slots);
    Py_DECREF(seq);
    return Py_BuildValue("(NNN)", table, codes, offsets);
fail:
    PyMem_Free(index.slots);
    Py_DECREF(seq);
    Py_XDECREF(table);
    Py_XDECREF(codes);
    Py_XDECREF(offsets);
    return NULL;
}

PyObject *na_lists_from_flat(PyObject *self, PyObject *args) {
    PyObject *table, *shared;
    Py_buffer codes, offsets;
    if (!PyArg_ParseTuple(args, "O!y*y*O", &PyList_Type, &table, &codes, &offsets, &shared))
        return NULL;
    PyObject *strings = NULL, *out = NULL;
    if (codes.len % (Py_ssize_t)sizeof(int32_t) || offsets.len % (Py_ssize_t)sizeof(int64_t) || offsets.len == 0) {
        PyErr_SetString(PyExc_ValueError, "lists_from_flat: codes must be int32 and offsets int64 (n + 1 of them)");
        goto fail;
    }
    if (shared != Py_None && !PyDict_Check(shared)) {
        PyErr_SetString(PyExc_TypeError, "lists_from_flat: shared must be a dict or None");
        goto fail;
    }
    Py_ssize_t m = PyList_GET_SIZE(table);
    strings = PyList_New(m);
    if (strings == NULL)
        goto fail;
    for (Py_ssize_t k = 0; k < m; k++) {
        PyObject *x = PyList_GET_ITEM(table, k);
        PyObject *y = shared == Py_None ? x : PyDict_SetDefault(shared, x, x); /* borrowed */
        if (y == NULL)
            goto fail;
        Py_INCREF(y);
        PyList_SET_ITEM(strings, k, y);
    }
    const int32_t *code = (const int32_t *)codes.buf;
    const int64_t *at = (const int64_t *)offsets.buf;
    Py_ssize_t n_codes = codes.len / (Py_ssize_t)sizeof(int32_t);
    Py_ssize_t n = offsets.len / (Py_ssize_t)sizeof(int64_t) - 1;
    if (at[0] != 0 || at[n] != n_codes) {
        PyErr_SetString(PyExc_ValueError, "lists_from_flat: the offsets must run from 0 to the number of codes");
        goto fail;
    }
    out = PyList_New(n);
    if (out == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t a = at[i], b = at[i + 1];
        if (b < a || b > n_codes) {
            PyErr_Format(PyExc_ValueError, "lists_from_flat: offset %zd is out of order", i + 1);
            goto fail;
        }
        PyObject *v = PyList_New((Py_ssize_t)(b - a));
        if (v == NULL)
            goto fail;
        PyList_SET_ITEM(out, i, v);
        for (int64_t j = a; j < b; j++) {
            int32_t c = code[j];
            if (c < 0 || c >= m) {
                PyErr_Format(PyExc_ValueError, "lists_from_flat: code %d is outside the table of %zd", (int)c, m);
                goto fail;
            }
            PyObject *x = PyList_GET_ITEM(strings, c);
            Py_INCREF(x);
            PyList_SET_ITEM(v, (Py_ssize_t)(j - a), x);
        }
    }
    Py_DECREF(strings);
    PyBuffer_Release(&codes);
    PyBuffer_Release(&offsets);
    return out;
fail:
    Py_XDECREF(strings);
    Py_XDECREF(out);
    PyBuffer_Release(&codes);
    PyBuffer_Release(&offsets);
    return NULL;
}

/* text_hashes: netanalytics.io._mbox._text_hashes's sum. For each string i of the data (its
 * bytes from offsets[i] to offsets[i + 1]), the sum over its bytes of (byte + 1) * BASE ** position,
 * modulo 2 ** 64, XOR its length: n uint64 as a bytearray. */
PyObject *na_text_hashes(PyObject *self, PyObject *args) {
    Py_buffer offsets, data;
    if (!PyArg_ParseTuple(args, "y*y*", &offsets, &data))
        return NULL;
    PyObject *out = NULL;
    if (offsets.len % (Py_ssize_t)sizeof(int64_t) || offsets.len == 0) {
        PyErr_SetString(PyExc_ValueError, "text_hashes: offsets must be int64 (n + 1 of them)");
        goto done;
    }
    Py_ssize_t n = offsets.len / (Py_ssize_t)sizeof(int64_t) - 1;
    const int64_t *at = (const int64_t *)offsets.buf;
    const unsigned char *d = (const unsigned char *)data.buf;
    out = PyByteArray_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(uint64_t));
    if (out == NULL)
        goto done;
    uint64_t *h = (uint64_t *)PyByteArray_AS_STRING(out);
    for (Py_ssize_t i = 0; i < n; i++) {
        int64_t a = at[i], b = at[i + 1];
        if (a < 0 || b < a || b > data.len) {
            PyErr_Format(PyExc_ValueError, "text_hashes: offset %zd is out of order or outside the data", i + 1);
            Py_CLEAR(out);
            goto done;
        }
        uint64_t sum = 0, power = 1;
        for (int64_t j = a; j < b; j++) {
            sum += ((uint64_t)d[j] + 1) * power;
            power *= 1099511628211ULL; /* _mbox._HASH_BASE */
        }
        h[i] = sum ^ (uint64_t)(b - a);
    }
done:
    PyBuffer_Release(&offsets);
    PyBuffer_Release(&data);
    return out;
}
