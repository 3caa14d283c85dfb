/** The text `help` answers with. */
export const HELP_TEXT = `BAT OS — talk to the objects of the living image.

  <object> <selector> [arguments]    genesis setSlot color "blue"
  <selector>                         a lone selector goes to genesis: display_yourself
  objects                            a name (genesis, @genesis) or an oid (#3)
  arguments                          JSON ("text", 42, [1,2], {"a":1}), @name, #oid, or bare words

  genesis slotNames · genesis clone · genesis describe · genesis respondsTo color
  genesis defineMethod greet "function (self, name) { return 'Hello, ' + name }"
  genesis methodSource greet · #7 name widget · root slotNames (every name)

  history [object]    the transactions that changed it (all, without an object)
  undo [tx]           revert the last transaction, or the one given
  collect [days]      delete unreachable objects and compact; with days, also forget
                      transactions older than that (admin)
  backup [file]       copy the image while it runs (admin)
  upgrade [--dry-run] ask the steward to upgrade BAT OS (admin, admin channel)`;
