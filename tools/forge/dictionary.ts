/**
 * Common English and JavaScript words, added to the vocabulary as plain tokens (with and
 * without a leading space) so that prompts tokenize to a few characters per token, as with
 * a real model, instead of one byte per token. They are on no chain: as the current token
 * they lead to the end of the answer, like every other token off a chain.
 */
const WORDS = `
a about above after again against all also always an and another answer any are arguments
as ask asked at be because been before being below between both but by call called can
cannot change changed chat check checked code come could data default describe did do does
done down each else end error every example false few first for found from function get
give given go good had has have he her here him his how however i if in into is it its
just keep kept know last least less let like line list long make many may me message
method methods model more most much must my name named names need never new next no none
not nothing now null number object objects of off on once one only or order other our out
over own parent parents persona personas please prompt read reply return returns right
said same say see self send sender set should show since slot slots so some source state
still string such system than that the their them then there these they thing this those
through to too true two under until up use used user value values very was way we well
were what when where which while who why will with without word words would write writes
written you your
const var typeof undefined length join push map filter keys JSON Object Array String Number
`;

/** The dictionary's words, each also with a leading space. */
export function dictionaryWords(): string[] {
  const words = WORDS.split(/\s+/).filter(Boolean);
  const capitalised = words.map((w) => w[0]!.toUpperCase() + w.slice(1));
  return [...new Set([...words, ...capitalised])].flatMap((w) => [w, ` ${w}`]);
}
