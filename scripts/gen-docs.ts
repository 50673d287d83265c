// `npm run docs`: writes docs/reference.md from the domain tables.
import * as fs from 'fs';
import * as path from 'path';
import { referenceMarkdown } from '../src/lang/domain/reference';

fs.writeFileSync(path.resolve(__dirname, '../docs/reference.md'), referenceMarkdown());
