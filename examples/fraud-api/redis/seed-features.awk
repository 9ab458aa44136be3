# Emits Redis protocol (RESP) SET commands for redis-cli --pipe:
# feature:<user_id>:<name> for user ids 1..users. Values are deterministic;
# every 50th user has chargebacks.
function cmd(key, val) {
  printf "*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n", length(key), key, length(val), val
}
BEGIN {
  for (u = 1; u <= users; u++) {
    p = "feature:" u ":"
    cmd(p "transaction_velocity", (u * 7) % 12)
    cmd(p "account_age_days", (u * 37) % 2000 + 1)
    cmd(p "transaction_count", (u * 13) % 300)
    cmd(p "avg_amount", 20 + (u * 17) % 480)
    cmd(p "chargeback_count", (u % 50 == 0) ? (u % 3) + 1 : 0)
  }
}
