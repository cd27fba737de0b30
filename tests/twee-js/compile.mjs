// Compile a Twee 3 file with a Twine 2 story format into playable HTML, as Twine publishes it.
// Used by tests/browser/test_twee_in_twine.py: node tests/twee-js/compile.mjs FILE.twee FORMAT.js
import { readFileSync } from 'node:fs';
import { compileTwine2HTML, parseStoryFormat, parseTwee } from 'extwee';

const story = parseTwee(readFileSync(process.argv[2], 'utf-8'));
const format = parseStoryFormat(readFileSync(process.argv[3], 'utf-8'));
process.stdout.write(compileTwine2HTML(story, format));
