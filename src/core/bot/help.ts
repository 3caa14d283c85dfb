/** The TALK section's persona lines when no personas are wired. */
const NO_PERSONAS = '  (no persona is here to answer: conversation needs the personas)';

/**
 * The text `help` answers with: one screen that teaches the whole language — talking to the
 * personas, sends, commands, and who may do what. The rule that tells a send from
 * conversation is `message-kind.ts`; the examples here follow it. `personas` is the personas'
 * own lines (src/personas/help.ts, handed in by the composition root: the core knows no
 * personas); without them the TALK section says no persona is here. `here` is what holds
 * where `help` was asked (`room-help.ts`), shown first.
 */
export function helpText(personas = NO_PERSONAS, here?: string): string {
  return `BAT OS — a living image of objects, and the personas who talk with you.
${here === undefined ? '' : `\n${here}\n`}
TALK  Plain words are conversation; a persona answers (and says who picked it).
  hi · what can you do? · how do I make an object?
${personas}

SEND  A message that names an object is a send: <object> <selector> [arguments]
  genesis slotNames · genesis describe · root slotNames · genesis, what are you?
  genesis clone → #9 · #9 name widget · widget setSlot size 3 · widget size
  widget defineMethod greet "function (self, name) { return 'Hello, ' + name }"
  You own what you clone; you change only your own objects (admins: any), read and send
  to others' unless private: widget chmod private | shared | public
  objects     a root name (genesis), @name or #oid
  arguments   JSON ("text", 42, [1,2], {"a":1}), @name, #oid, or bare words
  A lone word is a send to genesis only when genesis understands it (clone) or it looks
  like a program's selector: display_yourself · auditPersistence · frobnicate:
  When the object does not understand, the model writes the method: genesis frobnicate
  (no model yet? npm run forge: the test model; npm run models:pull: the real one)

COMMANDS (any case)                   who may
  help                                everyone
  history [object | tx | all]         everyone: the last 10 sends, what changed an object,
    [by person] [from t] [to t]       one transaction, or all; by someone, in a time
  undo [tx]                           everyone, their own sends; admins, anyone's
  versions object selector            everyone who may read it: a method's versions
  revert object selector N            whoever may change the object: version N back
  implementors|senders selector       everyone: readable methods that answer|send it
  collect [days]                      admins: delete unreachable objects, compact,
                                      and with days forget older history
  backup [file]                       admins: copy the image while it runs
  upgrade [--dry-run]                 admins, in the admin channel: ask the steward
  browse [logout [person]]            everyone, in a DM: an image browser link (when on)
  bind PERSONA | unbind [where]       channel admins: PERSONA answers here | the router
  reply mentions|threads|ambient      channel admins: when I answer here

Every send is one transaction: it commits whole, or fails and changes nothing.`;
}
