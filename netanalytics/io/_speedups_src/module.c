/* netanalytics.io._speedups: the optional C parts of the mbox reader.
 *
 * Each function does exactly what a pure-Python function of netanalytics.io names in its
 * docstring does (tests compare the two on the same inputs); the reader falls back to the
 * Python one when this module is not built.
 */
#include "speedups.h"

static PyMethodDef methods[] = {
    {"scan", na_scan, METH_VARARGS,
     "scan(buffer, start, end) -> (blocks, from_lines, starts, odd):"
     " netanalytics.io._mbox._scan's result for the buffer (an mbox mapping)."},
    {"dated_from_line", na_dated_from_line, METH_VARARGS,
     "dated_from_line(buffer, pos, end) -> bool: whether netanalytics.io._mbox.FROM_LINE.match(buffer, pos, end) matches."},
    {"header_values", na_header_values, METH_VARARGS,
     "header_values(blocks, names) -> (rows, values, unclean): per name, the blocks holding it (int64"
     " bytes), its values (a list of bytes) and whether one may need cleaning (a byte per name):"
     " netanalytics.io._headers._header_values."},
    {"unfolded", na_unfolded, METH_O,
     "unfolded(values) -> list: netanalytics.io._headers._clean_column's values (the list itself when"
     " none changes; values that do not change are the same objects)."},
    {"encode", na_encode, METH_O,
     "encode(values) -> (distinct values, int32 codes as a bytearray): netanalytics.io._headers.encode."},
    {"interned", na_interned, METH_VARARGS,
     "interned(values, shared) -> list: netanalytics.io._mbox._interned's lists."},
    {"address_lists", na_address_lists, METH_VARARGS,
     "address_lists(raws, cache, elements, shared, plain_address, parse_addresses, decode_bytes, empty) -> list:"
     " the (keys, names) pairs of netanalytics.io._mbox.Batch._address_lists."},
    {"layout_dates", na_layout_dates, METH_VARARGS,
     "layout_dates(offsets, data) -> (int64 stamps, common flags as bytearrays):"
     " netanalytics.io._mbox._layout_stamps of a large_string column's buffers."},
    {"address_flat", na_address_flat, METH_VARARGS,
     "address_flat(raws, cache, elements, shared, plain_address, parse_addresses, decode_bytes, empty, table)"
     " -> (key codes, key offsets, name codes, name offsets): address_lists's lists as table.flat's codes."},
    {"lists_from_flat", na_lists_from_flat, METH_VARARGS,
     "lists_from_flat(table, codes, offsets) -> list: netanalytics.io._mbox._lists_from_flat."},
    {"text_hashes", na_text_hashes, METH_VARARGS,
     "text_hashes(offsets, data) -> bytearray of uint64: the sums of netanalytics.io._mbox._text_hashes."},
    {"id_lists", na_id_lists, METH_VARARGS,
     "id_lists(offsets, data, valid) -> (list offsets, id offsets, id bytes, odd rows):"
     " netanalytics.io._mbox._id_list_array's plain values."},
    {"first_ids", na_first_ids, METH_VARARGS,
     "first_ids(offsets, data, valid) -> (offsets, id bytes, validity, odd rows):"
     " netanalytics.io._mbox._first_id_array's plain values."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "_speedups", "Optional C parts of netanalytics' mbox reader.", -1, methods,
};

static int add_type(PyObject *m, const char *name, PyTypeObject *type) {
    if (PyType_Ready(type) < 0)
        return -1;
    Py_INCREF(type);
    if (PyModule_AddObject(m, name, (PyObject *)type) < 0) {
        Py_DECREF(type);
        return -1;
    }
    return 0;
}

PyMODINIT_FUNC PyInit__speedups(void) {
    PyObject *m = PyModule_Create(&module);
    if (m == NULL)
        return NULL;
    if (add_type(m, "ElementTable", &na_ElementTableType) < 0 || add_type(m, "FlatTable", &na_FlatTableType) < 0) {
        Py_DECREF(m);
        return NULL;
    }
    return m;
}
