/* layout_dates: the Date texts in the layout nearly every mailer writes, read in one pass:
 * netanalytics.io._mbox._layout_stamps's numpy route (its _LAYOUT regex, _layout_fields and
 * _stamps) written out.
 *
 * layout_dates(offsets, data) takes a large_string column's int64 offsets (n + 1) and its
 * bytes, and returns (stamps, common): n int64 nanoseconds since 1970 in UTC (NaT, the least
 * int64, where a field is out of range) and n bytes, 1 where the text has the layout
 * "Www, DD Mmm YYYY HH:MM:SS +ZZZZ" (weekday and month three ASCII letters in any case, the day
 * one or two digits or a blank and one digit; nothing before or after). The others are read by
 * the regex route. A field is out of range (as _stamps has it) when the year is outside
 * 1970-2100, the hour above 23, the minute above 59, the second above 60, the month not a month,
 * or the day not a day of that month.
 */
#include "speedups.h"
#include <stdint.h>

static inline int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static inline int is_letter(unsigned char c) { return ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }
static inline int two(const unsigned char *p) { return (p[0] - '0') * 10 + (p[1] - '0'); }

/* Days from 1970-01-01 to a date of the proleptic Gregorian calendar (month 1-12). */
static int64_t days_from_civil(int64_t y, int m, int d) {
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

static int days_in_month(int64_t y, int m) {
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return days[m - 1] + (m == 2 && leap);
}

/* The month (1-12) of three letters in any case, or 0. */
static int month_of(const unsigned char *p) {
    static const char names[12][4] = {"jan", "feb", "mar", "apr", "may", "jun",
                                      "jul", "aug", "sep", "oct", "nov", "dec"};
    unsigned char a = p[0] | 0x20, b = p[1] | 0x20, c = p[2] | 0x20;
    for (int k = 0; k < 12; k++) {
        if (names[k][0] == a && names[k][1] == b && names[k][2] == c)
            return k + 1;
    }
    return 0;
}

/* Whether s[0:n] has the layout; its fields then set. */
static int read_layout(const unsigned char *s, Py_ssize_t n, int *day, int *month, int64_t *year, int *hour,
                       int *minute, int *second, int64_t *zone) {
    if (n != 30 && n != 31)
        return 0;
    if (!is_letter(s[0]) || !is_letter(s[1]) || !is_letter(s[2]) || s[3] != ',' || s[4] != ' ')
        return 0;
    const unsigned char *r = s + n - 24; /* " Mmm YYYY HH:MM:SS +ZZZZ" */
    if (n == 31) {
        if (!is_digit(s[6]) || !(is_digit(s[5]) || s[5] == ' '))
            return 0;
        *day = (s[5] == ' ' ? 0 : s[5] - '0') * 10 + (s[6] - '0');
    } else {
        if (!is_digit(s[5]))
            return 0;
        *day = s[5] - '0';
    }
    if (r[0] != ' ' || !is_letter(r[1]) || !is_letter(r[2]) || !is_letter(r[3]) || r[4] != ' ' ||
        !is_digit(r[5]) || !is_digit(r[6]) || !is_digit(r[7]) || !is_digit(r[8]) || r[9] != ' ' ||
        !is_digit(r[10]) || !is_digit(r[11]) || r[12] != ':' || !is_digit(r[13]) || !is_digit(r[14]) ||
        r[15] != ':' || !is_digit(r[16]) || !is_digit(r[17]) || r[18] != ' ' || (r[19] != '+' && r[19] != '-') ||
        !is_digit(r[20]) || !is_digit(r[21]) || !is_digit(r[22]) || !is_digit(r[23]))
        return 0;
    *month = month_of(r + 1);
    *year = two(r + 5) * 100 + two(r + 7);
    *hour = two(r + 10);
    *minute = two(r + 13);
    *second = two(r + 16);
    *zone = (int64_t)(two(r + 20) * 3600 + two(r + 22) * 60) * (r[19] == '-' ? -1 : 1);
    return 1;
}

PyObject *na_layout_dates(PyObject *self, PyObject *args) {
    Py_buffer offsets, data;
    if (!PyArg_ParseTuple(args, "y*y*", &offsets, &data))
        return NULL;
    PyObject *stamps = NULL, *common = NULL;
    Py_ssize_t n = offsets.len / (Py_ssize_t)sizeof(int64_t) - 1;
    if (offsets.len % (Py_ssize_t)sizeof(int64_t) != 0 || n < 0) {
        PyErr_SetString(PyExc_ValueError, "layout_dates: offsets must be n + 1 int64 values");
        goto done;
    }
    const int64_t *at = (const int64_t *)offsets.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        if (at[i] < 0 || at[i] > at[i + 1] || at[i + 1] > data.len) {
            PyErr_Format(PyExc_ValueError, "layout_dates: offsets %zd and %zd are outside the data", i, i + 1);
            goto done;
        }
    }
    stamps = PyByteArray_FromStringAndSize(NULL, n * (Py_ssize_t)sizeof(int64_t));
    common = PyByteArray_FromStringAndSize(NULL, n);
    if (stamps == NULL || common == NULL)
        goto done;
    int64_t *out = (int64_t *)PyByteArray_AS_STRING(stamps);
    char *is_common = PyByteArray_AS_STRING(common);
    const unsigned char *bytes = (const unsigned char *)data.buf;
    for (Py_ssize_t i = 0; i < n; i++) {
        int day, month, hour, minute, second;
        int64_t year, zone;
        is_common[i] = (char)read_layout(bytes + at[i], at[i + 1] - at[i], &day, &month, &year, &hour, &minute,
                                         &second, &zone);
        out[i] = INT64_MIN; /* NaT */
        if (is_common[i] && year >= 1970 && year <= 2100 && hour <= 23 && minute <= 59 && second <= 60 &&
            month >= 1 && day >= 1 && day <= days_in_month(year, month)) {
            int64_t seconds = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - zone;
            out[i] = seconds * 1000000000;
        }
    }
done:
    PyBuffer_Release(&offsets);
    PyBuffer_Release(&data);
    if (PyErr_Occurred()) {
        Py_XDECREF(stamps);
        Py_XDECREF(common);
        return NULL;
    }
    return Py_BuildValue("(NN)", stamps, common);
}
