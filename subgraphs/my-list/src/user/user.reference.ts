export const userReference = {
  User: {
    // Users owns the account; the list fields need only the id (and the rule checks it).
    __resolveReference: (reference: { id: string }) => ({ id: reference.id }),
  },
};
