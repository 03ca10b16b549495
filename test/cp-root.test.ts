import { standardSuite } from './support/standard-suite.ts';

standardSuite('cp-root');
