import { standardSuite } from './support/standard-suite.ts';

standardSuite('pointer-table');
