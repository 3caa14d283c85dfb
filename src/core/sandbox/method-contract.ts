/**
 * The method contract, in one place: the mind's prompt and the docs quote it verbatim, and
 * the sandbox enforces it.
 */
export const METHOD_CONTRACT = `A method is ONE function expression and nothing else:

  function (self, ...args) { ... }

- It runs in strict mode, synchronously: not async, not a generator, no arrow function, and
  nothing before or after the function.
- \`self\` is the receiving object:
    self.oid                      its object id (a number)
    self.get(name)                a slot's value (its own, else inherited from a parent),
                                  or undefined if there is none
    self.set(name, value)         writes its own slot (a JSON value or an object reference)
    self.remove(name)             deletes a slot
    self.slotNames()              the names of its own slots, in order
    self.send(selector, ...args)  sends a message to itself and returns the answer
    self.caller                   who sent this message, as text: the person
                                  ("slack:U123"), or the author of the method that sent it
                                  ("system" for BAT OS's own); a method runs with its own
                                  author's rights, so a helper decides for its caller by this
- A reference to another object (what get, send or an argument may hold) is a frozen object
  with \`ref.oid\` and \`ref.send(selector, ...args)\`. Pass it to set, send or return it as it
  is. A method can only use references it was given: \`{ $ref: n }\` written by hand is refused
  unless this call already holds object n, and the key "$ref" means nothing else.
- Arguments and results are JSON values (null, booleans, numbers, strings, arrays, plain
  objects) and object references. Returning nothing returns null. Functions, symbols, bigints
  and promises cannot be passed or returned. A result may be at most 1 MiB of JSON.
- Slot values read with get are copies: change one and write it back with set, or the change
  is lost.
- Only the plain ECMAScript built-ins exist (Object, Array, String, Number, Math, JSON, Date,
  RegExp, Map, Set, Error, ...), and they are frozen. There is no require, import, process,
  console, fetch, timer or file access, and nothing survives between calls except slots.
- An error thrown and not caught fails the whole message, and every slot write it made is
  undone. A send to another method is a savepoint: when that method fails, every write it
  made is undone even if the caller catches the error and goes on. Errors from the host (an
  unknown object, say) arrive as ordinary Errors.
- Limits (the defaults): about 1 second of time, 32 MiB of memory, a small stack, and nested
  sends at most 64 deep. Past a limit the method stops with an error.`;
