/* Lists of strings sent from a worker to the reading process as int32 codes into a table of
 * strings the worker sends once, the loops of two Python functions without the interpreter's
 * dispatch.
 *
 * FlatTable: netanalytics.io._mbox.FlatTable. The distinct element objects a process has put
 * in flat lists so far, in first-seen order (distinct by identity: equal strings that are two
 * objects are two entries), each with its code, its place in that order. t.flat(lists) gives
 * the int32 code of each element of each list, in order (a bytearray), and where each list's
 * codes start and end (n + 1 int64 offsets, a bytearray), adding the elements not met
 * before; t.strings(start) the elements from code `start` on (a new list); len(t), t.clear().
 *
 * lists_from_flat: netanalytics.io._mbox._lists_from_flat. The lists back from a table (a list
 * of strings), codes and offsets.
 *
 * text_hashes: the hashes of a worker's message ids, sent with them (see the end of the file).
 */
#include "speedups.h"
#include <stdint.h>

/* The index of a FlatTable: open addressing on the objects' addresses (Fibonacci hashing of
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

typedef struct {
    PyObject_HEAD
    na_ptr_table index;  /* slots NULL: empty */
    PyObject *strings;   /* a list: the elements in code order, kept alive (their addresses are the keys) */
    uint64_t generation; /* new for each table and each clear: codes kept elsewhere are checked against it */
} na_FlatTable;

/* The generations handed out so far (see na_FlatTable.generation); the GIL guards it. */
static uint64_t generations = 0;

uint64_t na_flat_generation(PyObject *table) { return ((na_FlatTable *)table)->generation; }

/* The code of x in the table, x added when first seen; -1 on error. Runs no Python code. */
int32_t na_flat_code(PyObject *table, PyObject *x) {
    na_FlatTable *t = (na_FlatTable *)table;
    if (t->index.slots == NULL) {
        t->index = (na_ptr_table){PyMem_Calloc(1 << 10, sizeof(na_slot)), 10, 0};
        if (t->index.slots == NULL) {
            PyErr_NoMemory();
            return -1;
        }
    }
    size_t mask = ((size_t)1 << t->index.bits) - 1, j = na_ptr_slot(&t->index, x);
    while (t->index.slots[j].key != NULL && t->index.slots[j].key != x)
        j = (j + 1) & mask;
    if (t->index.slots[j].key != NULL)
        return t->index.slots[j].code;
    Py_ssize_t c = PyList_GET_SIZE(t->strings); /* first seen */
    if (c >= INT32_MAX) {
        PyErr_SetString(PyExc_OverflowError, "FlatTable: more than 2**31 distinct elements");
        return -1;
    }
    if (PyList_Append(t->strings, x) < 0)
        return -1;
    t->index.slots[j].key = x; /* kept alive by t->strings */
    t->index.slots[j].code = (int32_t)c;
    if (++t->index.used * 2 > (Py_ssize_t)mask && na_ptr_grow(&t->index) < 0)
        return -1;
    return (int32_t)c;
}

static PyObject *flat_table_new(PyTypeObject *type, PyObject *args, PyObject *kwds) {
    if (PyTuple_GET_SIZE(args) != 0 || (kwds != NULL && PyDict_GET_SIZE(kwds) != 0)) {
        PyErr_SetString(PyExc_TypeError, "FlatTable() takes no arguments");
        return NULL;
    }
    na_FlatTable *t = (na_FlatTable *)type->tp_alloc(type, 0);
    if (t == NULL)
        return NULL;
    t->strings = PyList_New(0);
    if (t->strings == NULL) {
        Py_DECREF(t);
        return NULL;
    }
    t->generation = ++generations;
    return (PyObject *)t;
}

static PyObject *flat_table_clear(PyObject *self, PyObject *unused) {
    na_FlatTable *t = (na_FlatTable *)self;
    PyMem_Free(t->index.slots);
    t->index = (na_ptr_table){NULL, 0, 0};
    t->generation = ++generations;
    if (PyList_SetSlice(t->strings, 0, PyList_GET_SIZE(t->strings), NULL) < 0)
        return NULL;
    Py_RETURN_NONE;
}

static void flat_table_dealloc(PyObject *self) {
    na_FlatTable *t = (na_FlatTable *)self;
    PyMem_Free(t->index.slots);
    Py_XDECREF(t->strings);
    Py_TYPE(self)->tp_free(self);
}

static Py_ssize_t flat_table_len(PyObject *self) { return PyList_GET_SIZE(((na_FlatTable *)self)->strings); }

static PyObject *flat_table_strings(PyObject *self, PyObject *arg) {
    Py_ssize_t start = PyLong_AsSsize_t(arg);
    if (start == -1 && PyErr_Occurred())
        return NULL;
    PyObject *strings = ((na_FlatTable *)self)->strings;
    if (start < 0 || start > PyList_GET_SIZE(strings)) {
        PyErr_Format(PyExc_ValueError, "FlatTable.strings: start %zd is outside the table of %zd", start,
                     PyList_GET_SIZE(strings));
        return NULL;
    }
    return PyList_GetSlice(strings, start, PyList_GET_SIZE(strings));
}

static PyObject *flat_table_flat(PyObject *self, PyObject *lists) {
    PyObject *seq = PySequence_Fast(lists, "FlatTable.flat: lists must be a sequence of lists");
    if (seq == NULL)
        return NULL;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq), total = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PySequence_Fast_GET_ITEM(seq, i); /* borrowed */
        if (!PyList_Check(v)) {
            PyErr_Format(PyExc_TypeError, "FlatTable.flat: value %zd is a %.50s, not a list", i, Py_TYPE(v)->tp_name);
            Py_DECREF(seq);
            return NULL;
        }
        total += PyList_GET_SIZE(v);
    }
    PyObject *codes = PyByteArray_FromStringAndSize(NULL, total * (Py_ssize_t)sizeof(int32_t));
    PyObject *offsets = PyByteArray_FromStringAndSize(NULL, (n + 1) * (Py_ssize_t)sizeof(int64_t));
    if (codes == NULL || offsets == NULL)
        goto fail;
    int32_t *out = (int32_t *)PyByteArray_AS_STRING(codes);
    int64_t *at = (int64_t *)PyByteArray_AS_STRING(offsets);
    Py_ssize_t pos = 0;
    at[0] = 0;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *v = PySequence_Fast_GET_ITEM(seq, i); /* borrowed; nothing here runs Python code */
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(v); k++) {
            int32_t c = na_flat_code(self, PyList_GET_ITEM(v, k));
            if (c < 0)
                goto fail;
            out[pos++] = c;
        }
        at[i + 1] = pos;
    }
    Py_DECREF(seq);
    return Py_BuildValue("(NN)", codes, offsets);
fail:
    Py_DECREF(seq);
    Py_XDECREF(codes);
    Py_XDECREF(offsets);
    return NULL;
}

static PyMethodDef flat_table_methods[] = {
    {"flat", flat_table_flat, METH_O,
     "flat(lists) -> (int32 codes, int64 offsets as bytearrays), adding the elements not met before."},
    {"strings", flat_table_strings, METH_O, "strings(start) -> the elements from code start on, a new list."},
    {"clear", flat_table_clear, METH_NOARGS, "Forget every element."},
    {NULL, NULL, 0, NULL},
};

static PyMappingMethods flat_table_mapping = {.mp_length = flat_table_len};

PyTypeObject na_FlatTableType = {
    PyVarObject_HEAD_INIT(NULL, 0).tp_name = "netanalytics.io._speedups.FlatTable",
    .tp_basicsize = sizeof(na_FlatTable),
    .tp_new = flat_table_new,
    .tp_dealloc = flat_table_dealloc,
    .tp_as_mapping = &flat_table_mapping,
    .tp_flags = Py_TPFLAGS_DEFAULT,
    .tp_doc = "The strings a process has put in flat lists, each with its code (see netanalytics.io._mbox.FlatTable).",
    .tp_methods = flat_table_methods,
};

PyObject *na_lists_from_flat(PyObject *self, PyObject *args) {
    PyObject *table;
    Py_buffer codes, offsets;
    if (!PyArg_ParseTuple(args, "O!y*y*", &PyList_Type, &table, &codes, &offsets))
        return NULL;
    PyObject *out = NULL;
    if (codes.len % (Py_ssize_t)sizeof(int32_t) || offsets.len % (Py_ssize_t)sizeof(int64_t) || offsets.len == 0) {
        PyErr_SetString(PyExc_ValueError, "lists_from_flat: codes must be int32 and offsets int64 (n + 1 of them)");
        goto fail;
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
            Py_ssize_t m = PyList_GET_SIZE(table); /* (read each time: new lists may run a collection) */
            if (c < 0 || c >= m) {
                PyErr_Format(PyExc_ValueError, "lists_from_flat: code %d is outside the table of %zd", (int)c, m);
                goto fail;
            }
            PyObject *x = PyList_GET_ITEM(table, c);
            Py_INCREF(x);
            PyList_SET_ITEM(v, (Py_ssize_t)(j - a), x);
        }
    }
    PyBuffer_Release(&codes);
    PyBuffer_Release(&offsets);
    return out;
fail:
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
