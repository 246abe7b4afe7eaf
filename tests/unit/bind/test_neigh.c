// SPDX-License-Identifier: MIT
// Tests of the neighbour table lookup: a table in the kernel's format (written out by
// hand from a real /proc/net/arp), complete and incomplete entries, look-alike addresses,
// malformed rows, and a table without the address.
#include "../../../src/base/err.h"
#include "../../../src/bind/neigh.h"
#include "test.h"

#include <string.h>

static const char table[] =
    "IP address       HW type     Flags       HW address            Mask     Device\n"
    "10.60.0.1        0x1         0x2         02:00:00:00:10:01     *        eth1\n"
    "10.60.0.11       0x1         0x2         02:00:00:00:10:11     *        eth1\n"
    "10.60.0.2        0x1         0x0         00:00:00:00:00:00     *        eth1\n"
    "10.60.0.3        0x1         0x2         not-a-mac             *        eth1\n"
    "10.60.0.4        0x1         0x6         0A:0B:0C:0D:0E:0F     *        eth1\n";

static void test_find(void)
{
    char mac[18];
    ASSERT_EQ_INT(neigh_find(table, strlen(table), "10.60.0.1", mac), 0);
    ASSERT_STREQ(mac, "02:00:00:00:10:01");
    ASSERT_EQ_INT(neigh_find(table, strlen(table), "10.60.0.11", mac), 0);
    ASSERT_STREQ(mac, "02:00:00:00:10:11");
    ASSERT_EQ_INT(neigh_find(table, strlen(table), "10.60.0.4", mac), 0); /* permanent too */
    ASSERT_STREQ(mac, "0a:0b:0c:0d:0e:0f");
    ASSERT_EQ_INT(neigh_find(table, strlen(table), "10.60.0.2", mac), ERR_NOT_FOUND);
    ASSERT_EQ_INT(neigh_find(table, strlen(table), "10.60.0.3", mac), ERR_NOT_FOUND);
    ASSERT_EQ_INT(neigh_find(table, strlen(table), "10.60.0.5", mac), ERR_NOT_FOUND);
    ASSERT_EQ_INT(neigh_find(table, strlen(table), "10.60.0", mac), ERR_NOT_FOUND);
    /* the header alone, and a table cut in the middle of a row */
    ASSERT_EQ_INT(neigh_find(table, 80, "10.60.0.1", mac), ERR_NOT_FOUND);
    ASSERT_EQ_INT(neigh_find(table, 100, "10.60.0.1", mac), ERR_NOT_FOUND);
    ASSERT_EQ_INT(neigh_lookup("/nonexistent/arp", "10.60.0.1", mac), ERR_NOT_FOUND);
}

int main(void)
{
    RUN(test_find);
    return test_done();
}
