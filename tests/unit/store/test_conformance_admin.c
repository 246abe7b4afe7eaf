// SPDX-License-Identifier: MIT
// The store's conformance suite, part three: plans, subscribers, bindings and leases,
// and the values the schema refuses.
// conformance.h says how every case gets a store of its own on every engine.
#include "conformance.h"

/* ================================ the cases ================================ */

/* Values the schema refuses (admin/ checks them before they get here): nothing is stored.
 * Which code says so, store.h does not list (ERR_EXISTS is "the name is taken"); what each
 * engine returns is printed as a TODO note. */
static void test_refused_values(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    struct plan p = {.name = "odd", .quota_dirs = "sideways", .anchor_day = 1};
    char errbuf[ERR_BUF_LEN] = "";
    int rc = store_plan_save(s, &p, true, errbuf);
    ASSERT_TRUE(rc < 0);
    printf("# TODO %s: plan_save of quota_dirs 'sideways' returned %d: %s\n", cur.e->name, rc,
           errbuf);
    p = (struct plan){.name = "odd", .quota_dirs = "both", .anchor_day = 32};
    rc = store_plan_save(s, &p, true, errbuf);
    ASSERT_TRUE(rc < 0);
    printf("# TODO %s: plan_save of anchor_day 32 returned %d: %s\n", cur.e->name, rc, errbuf);
    ASSERT_EQ_INT(store_plan_get(s, "odd", &p), ERR_NOT_FOUND);
    struct subscriber sub = {.account = "alice", .status = "gone"};
    rc = store_subscriber_save(s, &sub, true, errbuf);
    ASSERT_TRUE(rc < 0);
    printf("# TODO %s: subscriber_save of status 'gone' returned %d: %s\n", cur.e->name, rc,
           errbuf);
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &sub), ERR_NOT_FOUND);
    store_close(s);
}

static void test_plans(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_plan(s, "basic", false, 100000000000ull, "both", 25000000, 1000000, "10/2 Mbps", 1, true,
             0);
    add_plan(s, "unlim", true, 0, "in", 60000000, 0, "", 15, true, 0);
    add_plan(s, "Business", false, 1000000000000ull, "out", 99000000, 500000,
             "100 Mbps \"fibre\", it's fast", 28, true, 0);
    /* a taken name, as an insert */
    add_plan(s, "basic", false, 1, "in", 1, 1, "x", 2, true, ERR_EXISTS);
    struct plan p, q;
    ASSERT_EQ_INT(store_plan_get(s, "basic", &p), 0);
    ASSERT_TRUE(p.id > 0);
    struct lines l = {0};
    plan_line(&l, &p);
    static const char *const basic[] = {"basic|100000000000|both|25000000|1000000|10/2 Mbps|1"};
    EXPECT_LINES(l, basic);
    /* an update keeps the id */
    add_plan(s, "basic", false, 200000000000ull, "in", 30000000, 2000000, "20/4 Mbps", 5, false, 0);
    ASSERT_EQ_INT(store_plan_get(s, "basic", &q), 0);
    ASSERT_EQ_INT(q.id, p.id);
    add_plan(s, "ghost", false, 1, "both", 0, 0, "", 1, false, ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_plan_get(s, "ghost", &q), ERR_NOT_FOUND);
    add_plan(s, "Business", true, 0, "out", 99000000, 500000, "100 Mbps \"fibre\", it's fast", 28,
             false, 0);
    ASSERT_EQ_INT(store_plan_get(s, "Business", &q), 0);
    ASSERT_TRUE(q.unlimited);
    add_plan(s, "unlim", false, 5, "in", 60000000, 0, "", 15, false, 0);
    ASSERT_EQ_INT(store_plan_get(s, "unlim", &q), 0);
    ASSERT_TRUE(!q.unlimited);
    ASSERT_EQ_U64(q.quota_bytes, 5);
    add_plan(s, "unlim", true, 0, "in", 60000000, 0, "", 15, false, 0);

    static const char *const all[] = {
        "Business|unlimited|out|99000000|500000|100 Mbps \"fibre\", it's fast|28",
        "basic|200000000000|in|30000000|2000000|20/4 Mbps|5",
        "unlim|unlimited|in|60000000|0||15",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_plan_list(s, plan_line, &l), 0);
    EXPECT_LINES(l, all);

    /* not while a subscriber is on it */
    char errbuf[ERR_BUF_LEN] = "";
    add_subscriber(s, "alice", "", "", "basic", "active", "", true, 0);
    ASSERT_EQ_INT(store_plan_remove(s, "basic", errbuf), ERR_EXISTS);
    ASSERT_TRUE(errbuf[0] != '\0');
    ASSERT_EQ_INT(store_plan_get(s, "basic", &q), 0);
    errbuf[0] = '\0';
    ASSERT_EQ_INT(store_plan_remove(s, "ghost", errbuf), ERR_NOT_FOUND);
    ASSERT_TRUE(errbuf[0] != '\0');
    ASSERT_EQ_INT(store_plan_remove(s, "unlim", errbuf), 0);
    ASSERT_EQ_INT(store_plan_remove(s, "unlim", errbuf), ERR_NOT_FOUND);
    add_subscriber(s, "alice", "", "", "", "active", "", false, 0); /* off the plan */
    ASSERT_EQ_INT(store_plan_remove(s, "basic", errbuf), 0);
    static const char *const left[] = {
        "Business|unlimited|out|99000000|500000|100 Mbps \"fibre\", it's fast|28",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_plan_list(s, plan_line, &l), 0);
    EXPECT_LINES(l, left);
    store_close(s);
}

static void test_subscribers(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_plan(s, "basic", false, 1000, "both", 0, 0, "", 1, true, 0);
    add_plan(s, "unlim", true, 0, "both", 0, 0, "", 1, true, 0);
    struct subscriber got;
    struct lines l = {0};
    /* a plan that does not exist: nothing stored */
    add_subscriber(s, "carol", "", "", "ghost", "active", "", true, ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_subscriber_get(s, "carol", &got), ERR_NOT_FOUND);

    add_subscriber(s, "alice", "Alice O'Hara", "alice@example.org", "basic", "active",
                   "tower 3, \"north\"", true, 0);
    add_subscriber(s, "bob", "Bob", "", "", "suspended", "", true, 0);
    add_subscriber(s, "Zed", "Zed", "zed@example.org", "unlim", "closed", "", true, 0);
    add_subscriber(s, "alice", "Another", "", "", "active", "", true, ERR_EXISTS);
    ASSERT_TRUE(id_of("alice") != id_of("bob") && id_of("bob") != id_of("Zed"));
    ASSERT_EQ_INT(store_subscriber_get(s, "alice", &got), 0);
    subscriber_line(&l, &got);
    static const char *const alice[] = {
        "#alice|alice|Alice O'Hara|alice@example.org|basic|active|tower 3, \"north\""};
    EXPECT_LINES(l, alice);
    /* by id, the same */
    memset(&got, 0, sizeof got);
    ASSERT_EQ_INT(store_subscriber_get_id(s, id_of("alice"), &got), 0);
    memset(&l, 0, sizeof l);
    subscriber_line(&l, &got);
    EXPECT_LINES(l, alice);
    ASSERT_EQ_INT(store_subscriber_get_id(s, 0, &got), ERR_NOT_FOUND);

    /* updates keep the id; a missing plan or account changes nothing */
    add_subscriber(s, "bob", "Robert", "bob@example.org", "unlim", "active", "moved", false, 0);
    add_subscriber(s, "bob", "Robert", "bob@example.org", "ghost", "active", "moved", false,
                   ERR_NOT_FOUND);
    add_subscriber(s, "ghost", "", "", "", "active", "", false, ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_subscriber_get(s, "ghost", &got), ERR_NOT_FOUND);
    static const char *const all[] = {
        "#Zed|Zed|Zed|zed@example.org|unlim|closed|",
        "#alice|alice|Alice O'Hara|alice@example.org|basic|active|tower 3, \"north\"",
        "#bob|bob|Robert|bob@example.org|unlim|active|moved",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_subscriber_list(s, subscriber_line, &l), 0);
    EXPECT_LINES(l, all);

    char errbuf[ERR_BUF_LEN] = "";
    ASSERT_EQ_INT(store_subscriber_remove(s, "bob", errbuf), 0);
    ASSERT_EQ_INT(store_subscriber_get(s, "bob", &got), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_subscriber_get_id(s, id_of("bob"), &got), ERR_NOT_FOUND);
    ASSERT_EQ_INT(store_subscriber_remove(s, "bob", errbuf), ERR_NOT_FOUND);
    ASSERT_TRUE(errbuf[0] != '\0');
    static const char *const left[] = {
        "#Zed|Zed|Zed|zed@example.org|unlim|closed|",
        "#alice|alice|Alice O'Hara|alice@example.org|basic|active|tower 3, \"north\"",
    };
    memset(&l, 0, sizeof l);
    ASSERT_EQ_INT(store_subscriber_list(s, subscriber_line, &l), 0);
    EXPECT_LINES(l, left);
    store_close(s);
}

static void test_bindings(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    add_account(s, "bob");
    add_account(s, "carol");
    const char *v = "10.0.0.1/32";
    struct lines l;

    add_binding(s, "alice", "prefix", v, 1000, 0, "static", NULL, 0);
    /* bound again by the same account, later or at once: nothing changes */
    add_binding(s, "alice", "prefix", v, 2000, 0, "static", NULL, STORE_BINDING_HELD);
    add_binding(s, "alice", "prefix", v, 1000, 0, "radius", "S-0", STORE_BINDING_HELD);
    static const char *const held[] = {"alice #alice prefix 10.0.0.1/32 1000-0 static -"};
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, held);

    /* handed over: alice's ends where bob's starts */
    add_binding(s, "bob", "prefix", v, 5000, 0, "radius", "S-1", 0);
    static const char *const handed[] = {
        "alice #alice prefix 10.0.0.1/32 1000-5000 static -",
        "bob #bob prefix 10.0.0.1/32 5000-0 radius S-1",
    };
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, handed);
    /* carol from the same start: bob's would be zero-length, it goes */
    add_binding(s, "carol", "prefix", v, 5000, 0, "static", NULL, 0);
    static const char *const same_start[] = {
        "alice #alice prefix 10.0.0.1/32 1000-5000 static -",
        "carol #carol prefix 10.0.0.1/32 5000-0 static -",
    };
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, same_start);
    /* bob from before carol's start: hers never applied, it goes (closed rows stay) */
    add_binding(s, "bob", "prefix", v, 4000, 0, "static", NULL, 0);
    static const char *const earlier[] = {
        "alice #alice prefix 10.0.0.1/32 1000-5000 static -",
        "bob #bob prefix 10.0.0.1/32 4000-0 static -",
    };
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, earlier);
    ASSERT_EQ_INT(store_binding_is_open(s, v, id_of("bob")), 1);
    ASSERT_EQ_INT(store_binding_is_open(s, v, id_of("alice")), 0);
    ASSERT_EQ_INT(store_binding_is_open(s, v, id_of("carol")), 0);
    ASSERT_EQ_INT(store_binding_is_open(s, "10.9.9.9/32", id_of("bob")), 0);
    store_close(s);
}

/* Ending bindings by value and by session, and listing them, by account and all. */
static void test_binding_end_and_list(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    add_account(s, "alice");
    add_account(s, "bob");
    add_account(s, "carol");
    const char *v = "10.0.0.1/32";
    struct lines l;
    add_binding(s, "alice", "prefix", v, 1000, 0, "static", NULL, 0);
    add_binding(s, "bob", "prefix", v, 4000, 0, "static", NULL, 0);
    add_binding(s, "alice", "mac", "aa:bb:cc:dd:ee:ff", 3000, 0, "register", NULL, 0);
    add_binding(s, "alice", "prefix", "10.0.0.2/32", 1000, 8000, "static", NULL, 0);
    ASSERT_EQ_INT(store_binding_is_open(s, "10.0.0.2/32", id_of("alice")), 0);
    ASSERT_EQ_INT(store_binding_is_open(s, "aa:bb:cc:dd:ee:ff", id_of("alice")), 1);
    add_binding(s, "carol", "prefix", "2001:db8:1200::/56", 6000, 0, "radius", "S-2", 0);
    add_binding(s, "carol", "prefix", "10.0.0.5/32", 6500, 0, "radius", "S-2", 0);
    add_binding(s, "nobody", "prefix", "10.0.0.6/32", 6500, 0, "static", NULL, ERR_NOT_FOUND);

    unbind(s, v, NULL, 9000, 1);                     /* by value */
    unbind(s, "2001:db8:1200::/56", "S-2", 7000, 2); /* by session: both of S-2 */
    unbind(s, v, NULL, 9500, 0);                     /* nothing open */
    add_binding(s, "alice", "prefix", "10.0.0.7/32", 10000, 0, "static", NULL, 0);
    unbind(s, "10.0.0.7/32", NULL, 10000, 1); /* ends where it starts: deleted */
    add_binding(s, "alice", "prefix", "10.0.0.8/32", 10000, 0, "static", NULL, 0);
    unbind(s, "10.0.0.8/32", NULL, 9000, 1); /* ends before it starts: deleted */
    ASSERT_EQ_INT(store_binding_end(s, "10.0.0.8/32", NULL, 9000, NULL), 0);

    static const char *const of_alice[] = {
        "alice #alice prefix 10.0.0.1/32 1000-4000 static -",
        "alice #alice prefix 10.0.0.2/32 1000-8000 static -",
        "alice #alice mac aa:bb:cc:dd:ee:ff 3000-0 register -",
    };
    list_bindings(s, "alice", &l);
    EXPECT_LINES(l, of_alice);
    static const char *const all[] = {
        "alice #alice prefix 10.0.0.1/32 1000-4000 static -",
        "bob #bob prefix 10.0.0.1/32 4000-9000 static -",
        "alice #alice prefix 10.0.0.2/32 1000-8000 static -",
        "carol #carol prefix 10.0.0.5/32 6500-7000 radius S-2",
        "carol #carol prefix 2001:db8:1200::/56 6000-7000 radius S-2",
        "alice #alice mac aa:bb:cc:dd:ee:ff 3000-0 register -",
    };
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, all);
    list_bindings(s, "nobody", &l);
    EXPECT_NO_LINES(l);

    /* a removed subscriber's bindings go with it */
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_subscriber_remove(s, "carol", errbuf), 0);
    static const char *const without_carol[] = {
        "alice #alice prefix 10.0.0.1/32 1000-4000 static -",
        "bob #bob prefix 10.0.0.1/32 4000-9000 static -",
        "alice #alice prefix 10.0.0.2/32 1000-8000 static -",
        "alice #alice mac aa:bb:cc:dd:ee:ff 3000-0 register -",
    };
    list_bindings(s, NULL, &l);
    EXPECT_LINES(l, without_carol);
    store_close(s);
}

static void test_leases(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    put_lease(s, "10.0.0.30", "aa:bb:cc:00:00:02", 2000, 0);
    put_lease(s, "10.0.0.20", "aa:bb:cc:00:00:01", 1000, 5000);
    put_lease(s, "10.0.0.20", "aa:bb:cc:00:00:03", 9000, 12000);
    put_lease(s, "10.0.0.20", "aa:bb:cc:00:00:01", 1000, 9000); /* renewed */
    static const char *const want[] = {
        "10.0.0.20 aa:bb:cc:00:00:01 1000-9000",
        "10.0.0.20 aa:bb:cc:00:00:03 9000-12000",
        "10.0.0.30 aa:bb:cc:00:00:02 2000-0",
    };
    struct lines l = {0};
    ASSERT_EQ_INT(store_lease_list(s, lease_line, &l), 0);
    EXPECT_LINES(l, want);
    store_close(s);
}

static void test_bindings_version(void)
{
    struct store *s = open_store(false);
    if (!s)
        return;
    int64_t v = store_bindings_version(s), w;
    ASSERT_TRUE(v >= 0);
    add_plan(s, "basic", false, 1, "both", 0, 0, "", 1, true, 0);
    add_plan(s, "basic", false, 2, "in", 0, 0, "", 1, false, 0);
    ASSERT_EQ_INT(store_bindings_version(s), v);
    add_account(s, "alice");
    add_account(s, "bob");
    add_binding(s, "alice", "prefix", "10.0.0.1/32", 1000, 0, "static", NULL, 0);
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    add_binding(s, "bob", "prefix", "10.0.0.1/32", 2000, 0, "static", NULL, 0);
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    unbind(s, "10.0.0.1/32", NULL, 3000, 1);
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    put_lease(s, "10.0.0.20", "aa:bb:cc:00:00:01", 1000, 5000);
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    put_lease(s, "10.0.0.20", "aa:bb:cc:00:00:01", 1000, 9000);
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    char errbuf[ERR_BUF_LEN];
    ASSERT_EQ_INT(store_subscriber_remove(s, "alice", errbuf), 0); /* and her binding */
    ASSERT_TRUE((w = store_bindings_version(s)) != v && w >= 0);
    v = w;
    add_plan(s, "other", true, 0, "both", 0, 0, "", 1, true, 0);
    ASSERT_EQ_INT(store_bindings_version(s), v);
    /* another connection reads the same number */
    struct store *r = open_store(true);
    if (r)
        ASSERT_EQ_INT(store_bindings_version(r), v);
    store_close(r);
    store_close(s);
}

static const struct conformance_case cases[] = {
    CONFORMANCE_CASE(test_refused_values),       CONFORMANCE_CASE(test_plans),
    CONFORMANCE_CASE(test_subscribers),          CONFORMANCE_CASE(test_bindings),
    CONFORMANCE_CASE(test_binding_end_and_list), CONFORMANCE_CASE(test_leases),
    CONFORMANCE_CASE(test_bindings_version),
};

int main(void)
{
    return conformance_main(cases, N(cases));
}
