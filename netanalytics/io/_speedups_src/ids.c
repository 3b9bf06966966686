/* Message ids: the fast rules of netanalytics.io._mbox._id_list_array and _first_id_array,
 * read straight from the raw header values, with no regex, cast or dictionary pass. Both take
 * a column of raw values as header_values gives it (offsets, data, valid: see na_column in
 * speedups.h), a null being an absent header.
 *
 * id_lists(offsets, data, valid) reads each value of a References-like column. A value is plain
 * when it is ASCII blanks ([\t-\r ]) and "<id>" tokens, a blank between two tokens, where an id
 * is one or more of [!-;=?-~] (printable ASCII but "<" and ">"): _mbox._RE2_PLAIN_IDS. Its list
 * is its ids, brackets dropped, each once (the first time). A null and b"" are plain and hold
 * no id. Returns (list offsets, id offsets, id bytes, odd rows): the first two int64, as
 * bytearrays, so that Python makes the Arrow list column without a copy; the odd rows (a list
 * of ints) are the values that are not plain, read by _mbox._fast_ids one by one.
 *
 * first_ids(offsets, data, valid) reads each value of a Message-ID-like column. A value is plain
 * when it is "<", one or more bytes of [\x00-\x1f\x21-\x3b\x3d-\x7f] (ASCII but a space or "<"),
 * then ">": _mbox._RE2_PLAIN_ID; its id is what the brackets hold. Returns (offsets, id bytes,
 * validity, odd rows): validity is one byte per row (1 where the value is plain); the odd rows
 * are the values present but not plain (b"" included), read one by one in Python.
 */
#include "speedups.h"
#include <stdint.h>
#include <string.h>

static inline int is_blank(unsigned char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }
static inline int is_list_id_byte(unsigned char c) { return c >= '!' && c <= '~' && c != '<' && c != '>'; }
static inline int is_first_id_byte(unsigned char c) { return c < 0x80 && c != ' ' && c != '<'; }

/* Whether s[0:size] is plain (see id_lists); *n_ids is then its number of tokens. */
static int plain_id_list(const unsigned char *s, Py_ssize_t size, Py_ssize_t *n_ids) {
    Py_ssize_t i = 0, n = 0;
    int after_token = 0;
    while (i < size) {
        if (is_blank(s[i])) {
            i++;
            after_token = 0;
            continue;
        }
        if (s[i] != '<' || after_token)
            return 0;
        Py_ssize_t j = i + 1;
        while (j < size && is_list_id_byte(s[j]))
            j++;
        if (j == i + 1 || j >= size || s[j] != '>')
            return 0;
        n++;
        i = j + 1;
        after_token = 1;
    }
    *n_ids = n;
    return 1;
}


typedef struct {
    const unsigned char *s;
    Py_ssize_t size;
    uint64_t hash;
} Seen;

PyObject *na_id_lists(PyObject *self, PyObject *args) {
    na_column column;
    if (na_column_open(args, &column, "id_lists") < 0)
        return NULL;
    Py_ssize_t n = column.n;
    na_buffer lists = {0}, offsets = {0}, data = {0};
    Seen *seen = NULL;
    Py_ssize_t seen_capacity = 0;
    int64_t n_ids = 0;
    PyObject *odd = PyList_New(0);
    if (odd == NULL || na_buffer_add_int64(&lists, 0) < 0 || na_buffer_add_int64(&offsets, 0) < 0)
        goto fail;
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t size, tokens;
        const unsigned char *s = na_column_value(&column, i, &size);
        if (s != NULL && !plain_id_list(s, size, &tokens)) {
            PyObject *row = PyLong_FromSsize_t(i);
            if (row == NULL || PyList_Append(odd, row) < 0) {
                Py_XDECREF(row);
                goto fail;
            }
            Py_DECREF(row);
        } else if (s != NULL && tokens) {
            if (tokens > seen_capacity) {
                Seen *grown = PyMem_Realloc(seen, (size_t)tokens * sizeof(Seen));
                if (grown == NULL) {
                    PyErr_NoMemory();
                    goto fail;
                }
                seen = grown;
                seen_capacity = tokens;
            }
            Py_ssize_t kept = 0;
            for (Py_ssize_t a = 0; a < size; a++) {
                if (s[a] != '<')
                    continue;
                Py_ssize_t b = a + 1;
                while (s[b] != '>') /* a plain value: every "<" has its ">" */
                    b++;
                const unsigned char *id = s + a + 1;
                Py_ssize_t length = b - a - 1;
                uint64_t h = na_hash_bytes(id, length); /* compared before memcmp */
                int again = 0;
                for (Py_ssize_t k = 0; k < kept && !again; k++)
                    again = seen[k].hash == h && seen[k].size == length && memcmp(seen[k].s, id, (size_t)length) == 0;
                if (!again) {
                    seen[kept++] = (Seen){id, length, h};
                    if (na_buffer_add(&data, id, length) < 0 || na_buffer_add_int64(&offsets, (int64_t)data.n) < 0)
                        goto fail;
                }
                a = b;
            }
            n_ids += kept;
        }
        if (na_buffer_add_int64(&lists, n_ids) < 0)
            goto fail;
    }
    na_column_close(&column);
    PyMem_Free(seen);
    return Py_BuildValue("(NNNN)", na_buffer_take(&lists), na_buffer_take(&offsets), na_buffer_take(&data), odd);
fail:
    na_column_close(&column);
    PyMem_Free(seen);
    PyMem_Free(lists.data);
    PyMem_Free(offsets.data);
    PyMem_Free(data.data);
    Py_XDECREF(odd);
    return NULL;
}

PyObject *na_first_ids(PyObject *self, PyObject *args) {
    na_column column;
    if (na_column_open(args, &column, "first_ids") < 0)
        return NULL;
    Py_ssize_t n = column.n;
    na_buffer offsets = {0}, data = {0};
    PyObject *odd = PyList_New(0);
    PyObject *valid = PyByteArray_FromStringAndSize(NULL, n);
    if (odd == NULL || valid == NULL || na_buffer_add_int64(&offsets, 0) < 0)
        goto fail;
    char *is_valid = PyByteArray_AS_STRING(valid);
    for (Py_ssize_t i = 0; i < n; i++) {
        Py_ssize_t size;
        const unsigned char *s = na_column_value(&column, i, &size);
        int plain = s != NULL && size >= 3 && s[0] == '<' && s[size - 1] == '>';
        for (Py_ssize_t k = 1; plain && k < size - 1; k++)
            plain = is_first_id_byte(s[k]);
        is_valid[i] = (char)plain;
        if (plain) {
            if (na_buffer_add(&data, s + 1, size - 2) < 0)
                goto fail;
        } else if (s != NULL) {
            PyObject *row = PyLong_FromSsize_t(i);
            if (row == NULL || PyList_Append(odd, row) < 0) {
                Py_XDECREF(row);
                goto fail;
            }
            Py_DECREF(row);
        }
        if (na_buffer_add_int64(&offsets, (int64_t)data.n) < 0)
            goto fail;
    }
    na_column_close(&column);
    return Py_BuildValue("(NNNN)", na_buffer_take(&offsets), na_buffer_take(&data), valid, odd);
fail:
    na_column_close(&column);
    PyMem_Free(offsets.data);
    PyMem_Free(data.data);
    Py_XDECREF(odd);
    Py_XDECREF(valid);
    return NULL;
}
