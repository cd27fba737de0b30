// Parse a Twee 3 file with extwee (an independent implementation) and print it as JSON.
// Used by tests/test_export_twee.py: node tests/twee-js/parse.mjs FILE.twee
import { readFileSync } from 'node:fs';
import { parseTwee } from 'extwee';

const story = parseTwee(readFileSync(process.argv[2], 'utf-8'));
process.stdout.write(story.toJSON());
