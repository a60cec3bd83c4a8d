/** STIX 2.1 store, validation, pattern grammar and TAXII 2.1 server/client support. */
export {};
