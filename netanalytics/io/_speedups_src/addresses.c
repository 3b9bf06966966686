/* address_lists: netanalytics.io._mbox.Batch._address_lists's loop, for the raw values of an
 * address header (To, Cc...), each parsed once per batch.
 *
 * address_lists(raws, cache, elements, shared, plain_address, parse_addresses, decode_bytes, empty)
 * returns one (keys, names) tuple per raw value:
 * - None or b"": (empty, empty);
 * - a value in cache: cache[raw];
 * - otherwise the value is decoded (UTF-8, else decode_bytes(raw)). A plain list (no '"',
 *   '(', ':' or ';') is split on its commas; each element is looked up in the dict elements,
 *   else read by plain_address (_headers._plain_address) and kept there with its key already
 *   shared.setdefault(key, key) (the caller empties elements whenever it empties shared). A
 *   list that is not plain, or holds an element without an address (plain_address gives
 *   None), is read whole by parse_addresses(raw) and its keys made shared. Names are the
 *   list's names when one is not "", else `empty`. The pair is stored in cache[raw].
 * That is what _headers.parse_address_lists and the Python loop of _address_lists make.
 */
#include "speedups.h"

static const char PLAIN_BREAKERS[] = "\"(:;";

/* 1 when text holds none of '"', '(', ':', ';'; 0 when it does; -1 on error. */
static int is_plain(PyObject *text) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text);
    for (const char *c = PLAIN_BREAKERS; *c; c++) {
        Py_ssize_t at = PyUnicode_FindChar(text, (Py_UCS4)*c, 0, n, 1);
        if (at == -2)
            return -1;
        if (at >= 0)
            return 0;
    }
    return 1;
}

/* plain_address(element) with its key made shared.setdefault(key, key): a new reference to a
 * (key, name) tuple, or to None. */
static PyObject *read_element(PyObject *element, PyObject *shared, PyObject *plain_address) {
    PyObject *found = PyObject_CallOneArg(plain_address, element);
    if (found == NULL || found == Py_None)
        return found;
    if (!PyTuple_Check(found) || PyTuple_GET_SIZE(found) != 2) {
        Py_DECREF(found);
        PyErr_SetString(PyExc_TypeError, "address_lists: plain_address must give (key, name) or None");
        return NULL;
    }
    PyObject *key = PyTuple_GET_ITEM(found, 0);
    PyObject *one = PyDict_SetDefault(shared, key, key); /* borrowed */
    PyObject *out = one == NULL ? NULL : PyTuple_Pack(2, one, PyTuple_GET_ITEM(found, 1));
    Py_DECREF(found);
    return out;
}

/* The elements of a plain list read by plain_address, appended to keys and names: 1 when
 * each has an address, 0 when one has none (the caller then reads the value whole), -1 on
 * error. */
static int read_plain(PyObject *text, PyObject *elements, PyObject *shared, PyObject *plain_address,
                      PyObject *keys, PyObject *names) {
    Py_ssize_t n = PyUnicode_GET_LENGTH(text), a = 0;
    for (;;) {
        Py_ssize_t b = PyUnicode_FindChar(text, ',', a, n, 1);
        if (b == -2)
            return -1;
        if (b < 0)
            b = n;
        PyObject *element = PyUnicode_Substring(text, a, b);
        if (element == NULL)
            return -1;
        PyObject *found = PyDict_GetItemWithError(elements, element); /* borrowed */
        if (found != NULL) {
            Py_INCREF(found);
        } else if (!PyErr_Occurred()) {
            found = read_element(element, shared, plain_address);
            if (found != NULL && PyDict_SetItem(elements, element, found) < 0)
                Py_CLEAR(found);
        }
        Py_DECREF(element);
        if (found == NULL)
            return -1;
        if (found == Py_None) {
            Py_DECREF(found);
            return 0;
        }
        int failed = PyList_Append(keys, PyTuple_GET_ITEM(found, 0)) < 0 ||
                     PyList_Append(names, PyTuple_GET_ITEM(found, 1)) < 0;
        Py_DECREF(found);
        if (failed)
            return -1;
        if (b == n)
            return 1;
        a = b + 1;
    }
}

/* (keys, names) of a value that is not plain: parse_addresses(raw), checked. New references. */
static int read_whole(PyObject *raw, PyObject *parse_addresses, PyObject **keys, PyObject **names) {
    PyObject *r = PyObject_CallOneArg(parse_addresses, raw);
    if (r == NULL)
        return -1;
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != 2 || !PyList_Check(PyTuple_GET_ITEM(r, 0)) ||
        !PyList_Check(PyTuple_GET_ITEM(r, 1))) {
        Py_DECREF(r);
        PyErr_SetString(PyExc_TypeError, "address_lists: parse_addresses must give (keys, names) lists");
        return -1;
    }
    *keys = PyTuple_GET_ITEM(r, 0);
    *names = PyTuple_GET_ITEM(r, 1);
    Py_INCREF(*keys);
    Py_INCREF(*names);
    Py_DECREF(r);
    return 0;
}

/* The cached pair of one raw value not in the cache (see the top of this file). */
static PyObject *parse_one(PyObject *raw, PyObject *elements, PyObject *shared, PyObject *plain_address,
                           PyObject *parse_addresses, PyObject *decode_bytes, PyObject *empty) {
    PyObject *text = PyUnicode_DecodeUTF8(PyBytes_AS_STRING(raw), PyBytes_GET_SIZE(raw), NULL);
    if (text == NULL) {
        if (!PyErr_ExceptionMatches(PyExc_UnicodeDecodeError))
            return NULL;
        PyErr_Clear();
        text = PyObject_CallOneArg(decode_bytes, raw);
        if (text == NULL)
            return NULL;
        if (!PyUnicode_Check(text)) {
            Py_DECREF(text);
            PyErr_SetString(PyExc_TypeError, "address_lists: decode_bytes must give a str");
            return NULL;
        }
    }
    PyObject *keys = NULL, *names = NULL, *out = NULL;
    int plain = is_plain(text);
    if (plain == 1) {
        keys = PyList_New(0);
        names = PyList_New(0);
        if (keys == NULL || names == NULL)
            plain = -1;
        else
            plain = read_plain(text, elements, shared, plain_address, keys, names);
        if (plain != 1) {
            Py_CLEAR(keys);
            Py_CLEAR(names);
        }
    }
    Py_DECREF(text);
    if (plain < 0)
        return NULL;
    if (plain == 0) { /* read whole: its keys made shared here (read_plain's already are) */
        if (read_whole(raw, parse_addresses, &keys, &names) < 0)
            return NULL;
        for (Py_ssize_t k = 0; k < PyList_GET_SIZE(keys); k++) {
            PyObject *key = PyList_GET_ITEM(keys, k);
            PyObject *one = PyDict_SetDefault(shared, key, key); /* borrowed */
            if (one == NULL)
                goto done;
            Py_INCREF(one);
            PyList_SetItem(keys, k, one); /* steals one, drops key */
        }
    }
    int named = 0;
    for (Py_ssize_t k = 0; k < PyList_GET_SIZE(names) && !named; k++) {
        PyObject *name = PyList_GET_ITEM(names, k);
        named = !(PyUnicode_Check(name) && PyUnicode_GET_LENGTH(name) == 0);
    }
    out = PyTuple_Pack(2, keys, named ? names : empty);
done:
    Py_DECREF(keys);
    Py_DECREF(names);
    return out;
}

PyObject *na_address_lists(PyObject *self, PyObject *args) {
    PyObject *raws, *cache, *elements, *shared, *plain_address, *parse_addresses, *decode_bytes, *empty;
    if (!PyArg_ParseTuple(args, "O!O!O!O!OOOO!", &PyList_Type, &raws, &PyDict_Type, &cache, &PyDict_Type, &elements,
                          &PyDict_Type, &shared, &plain_address, &parse_addresses, &decode_bytes, &PyList_Type,
                          &empty))
        return NULL;
    Py_ssize_t n = PyList_GET_SIZE(raws);
    PyObject *out = PyList_New(n), *no_address = PyTuple_Pack(2, empty, empty);
    if (out == NULL || no_address == NULL)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        PyObject *raw = PyList_GET_ITEM(raws, i), *pair;
        if (raw == Py_None || (PyBytes_Check(raw) && PyBytes_GET_SIZE(raw) == 0)) {
            pair = no_address;
            Py_INCREF(pair);
        } else if (!PyBytes_Check(raw)) {
            PyErr_Format(PyExc_TypeError, "address_lists: value %zd is a %.50s, not bytes", i, Py_TYPE(raw)->tp_name);
            goto fail;
        } else if ((pair = PyDict_GetItemWithError(cache, raw)) != NULL) {
            Py_INCREF(pair);
        } else {
            if (PyErr_Occurred())
                goto fail;
            pair = parse_one(raw, elements, shared, plain_address, parse_addresses, decode_bytes, empty);
            if (pair == NULL)
                goto fail;
            if (PyDict_SetItem(cache, raw, pair) < 0) {
                Py_DECREF(pair);
                goto fail;
            }
        }
        PyList_SET_ITEM(out, i, pair);
    }
    Py_DECREF(no_address);
    return out;
fail:
    Py_XDECREF(out);
    Py_XDECREF(no_address);
    return NULL;
}
