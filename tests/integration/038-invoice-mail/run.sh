#!/bin/sh
# Invoices by email end to end: flows of March 2026 go through the real collector into the
# store; `bill close` with invoice_mail = 1 issues two invoices and queues the mail of the
# one whose subscriber has an address (bob has none: listed, not mailed); the daemon sends
# the queue to a real SMTP server (tests/integration/smtp_server.py), and Python's email
# package reads what arrived: one message, to alice, its subject, a text part with the
# total worked out below by hand, and a PDF attachment whose text (pdftotext) shows the
# number and the total. Closing again queues nothing; a rerate's debit note, and then a
# credit note, are mailed as notes; bob, given an address at last, gets his invoice from the
# daemon alone. Runs on SQLite, and on PostgreSQL through 026.
#
# March 2026 in UTC: 2026-03-01T00:00Z (1772323200) to 2026-04-01T00:00Z (1775001600).
# Basic: 15 GB, 25.00 a month, 2.00 per GB over; tax 8.1%, half-up to the cent.
# alice: 8 GB in (03-05), 8.5 GB in (03-15), 0.25 GB out (03-20) = 16.75 GB, 1.75 GB over:
#   3.50; subtotal 28.50; tax 2.3085 -> 2.31; total 30.81.
# bob: 10 GB in (03-10): under his quota; 25.00, tax 2.025 -> 2.03, total 27.03.
. "$(dirname "$0")/../lib.sh"
export TZ=UTC
PY=/usr/bin/python3
SERVER="$ROOT/tests/integration/smtp_server.py"
if ! "$PY" -c 'import aiosmtpd' 2>/dev/null; then
    echo "1..0 # SKIP python3-aiosmtpd is not installed"
    exit 0
fi
SMTP_PID=""
trap '[ -n "$SMTP_PID" ] && kill -TERM "$SMTP_PID" 2>/dev/null; cleanup' EXIT
mkdir -p "$TMP/mbox"
"$PY" "$SERVER" "$TMP/mbox" >"$TMP/smtp.out" 2>"$TMP/smtp.err" &
SMTP_PID=$!
wait_for grep -q '^listening on' "$TMP/smtp.out" ||
    { not_ok "SMTP server" && sed 's/^/#   /' "$TMP/smtp.err"; done_testing; exit; }
SMTP_PORT=$(sed -n 's/^listening on 127.0.0.1:\([0-9]*\)$/\1/p' "$TMP/smtp.out")

cat >"$TMP/ft.conf" <<CONF
timezone = UTC
currency = EUR
tax_rate = 8.1
operator_name = Example Net
operator_address = 1 Main Street | 12345 Town
smtp = smtp://127.0.0.1:$SMTP_PORT
mail_from = billing@example.net
invoice_mail = 1
CONF

new_store
ft() { "$FT" "$@" --db "$DB"; }
bill() { "$FT" bill "$@" -c "$TMP/ft.conf" --db "$DB"; }
{
    ft plan add Basic --quota 15GB --price 25.00 --overage 2.00
    ft subscriber add alice --name "Alice Example" --email alice@example.net --plan Basic
    ft subscriber add bob --name "Bob Example" --plan Basic
    ft bind alice 10.0.0.1 --from 2026-01-01
    ft bind bob 10.0.0.2 --from 2026-01-01
} >/dev/null

# end,local,remote,bytes_in,bytes_out
cat >"$TMP/flows.csv" <<FLOWS
1772712000,10.0.0.1,198.19.0.1,8000000000,0
1773576000,10.0.0.1,198.19.0.1,8500000000,0
1774008000,10.0.0.1,198.19.0.1,0,250000000
1773144000,10.0.0.2,198.19.0.1,10000000000,0
FLOWS
"$FLOWGEN" write --proto ipfix --flows "$TMP/flows.csv" --out "$TMP/f.dgrams" \
    --expect "$TMP/f.csv" >/dev/null || not_ok "flowgen write"
start_flowtally || { not_ok start; done_testing; exit; }
"$FLOWGEN" send --in "$TMP/f.dgrams" --to 127.0.0.1:$PORT --rate 10000 >/dev/null
stop_flowtally

# invoice mail without an address to send from: refused before anything is issued
grep -v '^mail_from' "$TMP/ft.conf" >"$TMP/nofrom.conf"
"$FT" bill close --cycle 2026-03 -c "$TMP/nofrom.conf" --db "$DB" >"$TMP/nofrom.out" 2>&1
check_eq "invoice_mail without mail_from: refused, exit 1" "$? $(cat "$TMP/nofrom.out")" \
    "1 flowtally: invoice_mail = 1 needs mail_from, the address invoices are mailed from"
bill close --cycle 2026-03 >"$TMP/close.out" 2>"$TMP/close.err"
check_eq "close: two invoices, alice's queued, bob's not (no address)" "$(cat "$TMP/close.out")" \
    "2026-03: 2 issued (57.84 EUR), 0 already done, 0 not ended, 0 without a plan, 0 late lines
mail: invoice 1 of alice queued to alice@example.net
mail: invoice 2 of bob not mailed: no email address"
check_eq "the totals as worked out" \
    "$(bill export --cycle 2026-03 --format csv | cut -d, -f1,2,10 | sed 1d)" "1,alice,30.81
2,bob,27.03"
check_eq "the queue: one invoice message" \
    "$(ft mail queue --format csv | cut -d, -f2-6 | sed 1d)" \
    'invoice:1,invoice,alice@example.net,"Invoice 1 for March 2026",queued'

bill close --cycle 2026-03 >"$TMP/close2.out"
check_eq "closing again issues and queues nothing" "$(cat "$TMP/close2.out")" \
    "2026-03: 0 issued (0.00 EUR), 2 already done, 0 not ended, 0 without a plan, 0 late lines"
check_eq "still one message" "$(ft mail queue --format csv | sed 1d | wc -l | tr -d ' ')" 1

messages() { find "$TMP/mbox" -name '*.env' | wc -l | tr -d ' '; }
has_messages() { [ "$(messages)" -ge "$1" ]; }
# show N: message N as a mail reader reads it: the recipients, subject, the parts' types,
# the attachment's name, the text part; the PDF written to $TMP/N.pdf
show() {
    "$PY" - "$TMP/mbox/$1.eml" "$TMP/mbox/$1.env" "$TMP/$1.pdf" <<'PYEOF'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("to:", open(sys.argv[2]).read().split("\n")[1])
print("subject:", m["subject"])
print("types:", ",".join(p.get_content_type() for p in m.walk()))
files = list(m.iter_attachments())
for f in files:
    print("file:", f.get_filename(), f.get_content_type())
    open(sys.argv[3], "wb").write(f.get_payload(decode=True))
print(m.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n").strip())
PYEOF
}
pdf_has() { # pdf_has N TEXT...: the PDF of message N shows each TEXT
    pdftotext -layout "$TMP/$1.pdf" "$TMP/$1.txt" || return 1
    n=$1
    shift
    for want in "$@"; do
        grep -qF -- "$want" "$TMP/$n.txt" || { echo "# not in the PDF: $want"; return 1; }
    done
}

start_flowtally -c "$TMP/ft.conf" || { not_ok "start with smtp"; done_testing; exit; }
wait_for has_messages 1 || not_ok "a message came"
check_eq "alice's invoice, as it arrived" "$(show 1)" \
    "to: to alice@example.net
subject: Invoice 1 for March 2026
types: multipart/mixed,multipart/alternative,text/plain,text/html,application/pdf
file: invoice-1.pdf application/pdf
Hello Alice Example,

attached is your invoice 1 for
the cycle from 2026-03-01 to 2026-03-31.

Amount due: 30.81 EUR
Account: alice

Example Net"
pdf_has 1 "Invoice 1" "Alice Example" "30.81 EUR" "28.50" "2.31" && ok "its PDF shows the number and total" ||
    not_ok "its PDF shows the number and total"

# Basic's overage becomes 2.50: alice's 1.75 GB over is 4.375 -> 4.38 against 3.50 billed:
# a debit note D-1 of 0.88, tax 0.07128 -> 0.07, total 0.95.
ft plan set Basic --overage 2.50 >/dev/null
check_eq "rerate: a debit note, queued" "$(bill rerate --cycle 2026-03)" \
    "2026-03: 1 issued (0.95 EUR), 1 already done, 0 not ended, 0 without a plan, 0 late lines
mail: debit D-1 of alice queued to alice@example.net"
wait_for has_messages 2 || not_ok "the debit note came"
check_eq "the debit note, as it arrived" "$(show 2)" \
    "to: to alice@example.net
subject: Debit note D-1 for March 2026
types: multipart/mixed,multipart/alternative,text/plain,text/html,application/pdf
file: debit-note-D-1.pdf application/pdf
Hello Alice Example,

attached is a debit note, D-1, for
the cycle from 2026-03-01 to 2026-03-31. It corrects invoice 1.

Amount due: 0.95 EUR
Account: alice

Example Net"
pdf_has 2 "Debit note 1" "0.95 EUR" && ok "its PDF shows the note and total" ||
    not_ok "its PDF shows the note and total"
# and back to 1.00: 1.75 GB over is 1.75 against 3.50 + 0.88 = 4.38 billed: a credit note
# C-1 of -2.63, tax -0.21303 -> -0.21, total -2.84
ft plan set Basic --overage 1.00 >/dev/null
bill rerate --cycle 2026-03 >/dev/null
wait_for has_messages 3 || not_ok "the credit note came"
check_eq "the credit note: subject, file and what is credited" \
    "$(show 3 | sed -n '2p;4p;10p')" "subject: Credit note C-1 for March 2026
file: credit-note-C-1.pdf application/pdf
Credited to you: 2.84 EUR"
pdf_has 3 "Credit note 1" "-2.84 EUR" && ok "its PDF shows the note and total" ||
    not_ok "its PDF shows the note and total"
stop_flowtally

# bob gets an address: the daemon, which looks for documents not mailed yet at its start
# and every minute, queues his invoice itself (no bill command runs) and sends it.
ft subscriber set bob --email bob@example.net >/dev/null
start_flowtally -c "$TMP/ft.conf" || { not_ok "restart with smtp"; done_testing; exit; }
wait_for has_messages 4 || not_ok "bob's invoice came"
check_eq "bob's invoice, queued by the daemon: to, subject, amount" \
    "$(show 4 | sed -n '1,2p;/^Amount due/p')" "to: to bob@example.net
subject: Invoice 2 for March 2026
Amount due: 27.03 EUR"
sleep 2
check_eq "four messages, each sent once" "$(messages) $(ft mail queue --format csv | awk -F, 'NR > 1 { print $3, $6 }' | sort | uniq -c | tr -s ' ')" \
    "4  4 invoice sent"
stop_flowtally
done_testing
