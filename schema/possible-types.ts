
      export type PossibleTypesResultData = {
  "possibleTypes": {
    "Content": [
      "Movie",
      "TvShow"
    ]
  }
};
      const result: PossibleTypesResultData = {
  "possibleTypes": {
    "Content": [
      "Movie",
      "TvShow"
    ]
  }
};
      export default result;
    