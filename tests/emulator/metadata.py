"""ARM's /metadata/endpoints document, as `az cloud register --endpoint-resource-manager` reads it.

Values are the public cloud's resource ids (audiences are names, not hosts that get called), except that
sign-in and Resource Manager point at this emulator.
"""


def cloud_metadata(base_url):
    return {
        "name": "AzureCloud",
        "portal": "https://portal.azure.com",
        "authentication": {"loginEndpoint": base_url, "audiences": ["https://management.core.windows.net/",
                                                                   "https://management.azure.com/"],
                           "tenant": "common", "identityProvider": "AAD"},
        "media": "https://rest.media.azure.net",
        "graphAudience": "https://graph.windows.net/",
        "graph": "https://graph.windows.net/",
        "microsoftGraphResourceId": "https://graph.microsoft.com/",
        "batch": "https://batch.core.windows.net/",
        "resourceManager": base_url + "/",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "gallery": "https://gallery.azure.com/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "logAnalyticsResourceId": "https://api.loganalytics.io",
        "appInsightsResourceId": "https://api.applicationinsights.io",
        "synapseAnalyticsResourceId": "https://dev.azuresynapse.net",
        "suffixes": {"acrLoginServer": "azurecr.io", "sqlServerHostname": "database.windows.net",
                     "keyVaultDns": "vault.azure.net", "storage": "core.windows.net",
                     "azureDataLakeStoreFileSystem": "azuredatalakestore.net",
                     "azureDataLakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
                     "synapseAnalytics": "dev.azuresynapse.net", "mhsmDns": "managedhsm.azure.net"},
    }
